package couponservice.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.ServiceProcess;
import couponservice.testkit.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of acknowledged write survives a SIGKILL right after its answer (API.md: "a crash of any node
 * right after the response loses nothing"), in both profiles: the service runs in a child JVM that is killed
 * and started again on the same data.
 */
class CrashDurabilityTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
  /** The largest maxIssueCount of the test's policies. */
  private static final int MAX_STOCK = 10;
  private static final String ADMIN = ApiClient.adminToken();
  private static final String SERVICE = ApiClient.serviceToken();

  @Test
  void theDevProfileOnH2KeepsEveryAcknowledgedWrite(@TempDir Path dataDir) {
    killRightAfterTheWritesAndFindThemAfterARestart(name -> ServiceProcess.startDev("crash-dev-" + name, dataDir));
  }

  @Test
  void theProdProfileOnPostgresKeepsEveryAcknowledgedWrite() {
    killRightAfterTheWritesAndFindThemAfterARestart(name ->
        ServiceProcess.startProd("crash-prod-" + name, database, Map.of()));
  }

  /** {@code start} starts a node on the test's data, {@code name} naming its log. */
  private static void killRightAfterTheWritesAndFindThemAfterARestart(Function<String, ServiceProcess> start) {
    String code = "CRASH2026";
    long byCode;
    long byPolicyId;
    long direct;
    long reserved;
    long used;
    long keyed;
    long cancelledWhileReserved;
    long stillIssued;
    JsonNode reservation;
    try (ServiceProcess node = startReady(start, "before-crash")) {
      int port = node.httpPort();
      byCode = api.createPolicy(port, Map.of("distributionType", "DOWNLOAD", "couponCode", code, "maxIssueCount", 10));
      byPolicyId = api.createPolicy(port, Map.of("distributionType", "FIRST_COME", "maxIssueCount", 5));
      direct = api.createPolicy(port, Map.of("distributionType", "DIRECT", "maxIssueCount", 4));
      expect(200, api.send(port, "PATCH", "/api/coupon-policies/" + byCode + "/remaining-quantity", ADMIN,
          Map.of("newMaxIssueCount", 6, "modifiedBy", "ADMIN", "reason", "crash test")));
      reserved = expect(201, download(port, code, 101)).longField("couponId");
      used = expect(201, api.issue(port, byPolicyId, 102, null)).longField("couponId");
      keyed = expect(201, api.issue(port, byPolicyId, 103, "crash-key-103")).longField("couponId");
      JsonNode results = expect(201, directIssue(port, direct, List.of(104, 105))).body().path("results");
      cancelledWhileReserved = couponOf(results, 104);
      stillIssued = couponOf(results, 105);
      reservation = expect(200, reserve(port, "RESV-CRASH-1", 101, reserved)).body();
      expect(200, reserve(port, "RESV-CRASH-2", 102, used));
      expect(200, api.send(port, "POST", "/api/coupons/reservations/RESV-CRASH-2/confirm", SERVICE,
          Map.of("orderId", "ORDER-RESV-CRASH-2", "paymentId", "PAY-2")));
      expect(200, cancel(port, keyed));
      expect(200, reserve(port, "RESV-CRASH-3", 104, cancelledWhileReserved));
      Response last = cancel(port, cancelledWhileReserved);
      node.kill();
      expect(200, last);
    }

    try (ServiceProcess node = startReady(start, "after-crash")) {
      int port = node.httpPort();
      assertPolicy(port, byCode, 6, 1);
      assertPolicy(port, byPolicyId, 5, 2);
      assertPolicy(port, direct, 4, 2);
      assertEquals("RESERVED", coupon(port, reserved).path("status").asText());
      assertEquals("RESV-CRASH-1", coupon(port, reserved).path("reservationId").asText());
      assertEquals("USED", coupon(port, used).path("status").asText());
      assertEquals("CANCELLED", coupon(port, keyed).path("status").asText());
      assertEquals("CANCELLED", coupon(port, cancelledWhileReserved).path("status").asText());
      assertEquals("ISSUED", coupon(port, stillIssued).path("status").asText());

      assertEquals(keyed, expect(201, api.issue(port, byPolicyId, 103, "crash-key-103")).longField("couponId"),
          "the idempotency key's first outcome");
      assertEquals(reservation, expect(200, reserve(port, "RESV-CRASH-1", 101, reserved)).body(),
          "the repeated reservation answers the same");

      // The remaining stock, exactly: a lost write would leave more (or, for a lost PATCH, four more).
      assertEquals(5, issuedUntilSoldOut(userId -> download(port, code, userId), 200));
      assertEquals(3, issuedUntilSoldOut(userId -> api.issue(port, byPolicyId, userId, null), 300));
      JsonNode lastDirect = expect(201, directIssue(port, direct, List.of(401, 402, 403))).body();
      assertEquals(2, lastDirect.path("successCount").asInt(), lastDirect.toString());
      assertEquals(List.of("COUPON_SOLD_OUT"), lastDirect.path("results").findValuesAsText("errorCode"),
          lastDirect.toString());
    }
  }

  private static ServiceProcess startReady(Function<String, ServiceProcess> start, String name) {
    long started = System.nanoTime();
    ServiceProcess node = start.apply(name);
    node.awaitReady(STARTUP_TIMEOUT);
    System.out.printf("%s ready in %d ms%n", name, Duration.ofNanos(System.nanoTime() - started).toMillis());
    return node;
  }

  private static Response expect(int status, Response response) {
    assertEquals(status, response.status(), response.body().toString());
    return response;
  }

  private static Response download(int port, String code, long userId) {
    return api.send(port, "POST", "/api/coupons/download", ApiClient.userToken(userId),
        Map.of("couponCode", code, "userId", userId));
  }

  private static Response directIssue(int port, long policyId, List<Integer> userIds) {
    return api.send(port, "POST", "/api/coupons/direct-issue", ADMIN,
        Map.of("couponPolicyId", policyId, "userIds", userIds, "issuedBy", "crash-test"));
  }

  private static long couponOf(JsonNode directIssueResults, long userId) {
    for (JsonNode result : directIssueResults) {
      if (result.path("userId").asLong() == userId) {
        return result.path("couponId").asLong();
      }
    }
    throw new AssertionError("no result for user " + userId + ": " + directIssueResults);
  }

  private static Response reserve(int port, String reservationId, long userId, long couponId) {
    return api.send(port, "POST", "/api/coupons/reserve", SERVICE, Map.of("reservationId", reservationId,
        "userId", userId, "couponId", couponId, "orderAmount", 50_000, "orderId", "ORDER-" + reservationId));
  }

  private static Response cancel(int port, long couponId) {
    return api.send(port, "POST", "/api/coupons/" + couponId + "/cancel", SERVICE, Map.of("reason", "crash test"));
  }

  private static JsonNode coupon(int port, long couponId) {
    return expect(200, api.send(port, "GET", "/api/coupons/" + couponId, ADMIN, null)).body();
  }

  private static void assertPolicy(int port, long policyId, int maxIssueCount, int issued) {
    JsonNode policy = expect(200, api.send(port, "GET", "/api/coupon-policies/" + policyId, ADMIN, null)).body();
    assertEquals(maxIssueCount, policy.path("maxIssueCount").asInt(), policy.toString());
    assertEquals(issued, policy.path("currentIssueCount").asInt(), policy.toString());
    assertEquals(maxIssueCount - issued, policy.path("remainingCount").asInt(), policy.toString());
  }

  /** Issues to new users from {@code firstUserId} on until the policy answers sold out; returns how many were issued. */
  private static int issuedUntilSoldOut(LongFunction<Response> issueTo, long firstUserId) {
    for (int issued = 0; issued <= MAX_STOCK; issued++) {
      Response response = issueTo.apply(firstUserId + issued);
      if (response.status() != 201) {
        assertEquals("COUPON_SOLD_OUT", response.code(), response.body().toString());
        return issued;
      }
    }
    throw new AssertionError("more than " + MAX_STOCK + " coupons issued by a policy of at most " + MAX_STOCK);
  }
}
