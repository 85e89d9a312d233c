package couponservice.http;

import static couponservice.testkit.ApiAssertions.assertErrorBody;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import couponservice.node.ServiceNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * API.md "Who may call what", endpoint by endpoint and caller by caller: the coupon's owner, another user acting for
 * the owner, a SERVICE, an ADMIN and a caller without a token. An allowed caller gets the endpoint's success status;
 * any other gets 403 FORBIDDEN (401 UNAUTHORIZED without a token) with the contract's error body and writes nothing.
 */
class AuthorizationMatrixTest {
  private static final long OWNER_ID = 7;
  private static final long OTHER_ID = 8;
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();
  // Headers first: the live stream's body never ends.
  private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static ServiceNode node;
  private static int port;
  private static long walletPolicyId;
  private static final AtomicInteger reservations = new AtomicInteger();

  enum Who {
    OWNER, OTHER_USER, SERVICE, ADMIN, ANONYMOUS;

    String token() {
      return switch (this) {
        case OWNER -> ApiClient.userToken(OWNER_ID);
        case OTHER_USER -> ApiClient.userToken(OTHER_ID);
        case SERVICE -> ApiClient.serviceToken();
        case ADMIN -> ApiClient.adminToken();
        case ANONYMOUS -> null;
      };
    }
  }

  private static final Set<Who> ADMIN_ONLY = EnumSet.of(Who.ADMIN);
  private static final Set<Who> ANY_CALLER = EnumSet.of(Who.OWNER, Who.OTHER_USER, Who.SERVICE, Who.ADMIN);
  private static final Set<Who> THE_USER_ITSELF = EnumSet.of(Who.OWNER, Who.ADMIN);
  private static final Set<Who> OWNER_SERVICE_ADMIN = EnumSet.of(Who.OWNER, Who.SERVICE, Who.ADMIN);
  private static final Set<Who> SERVICE_ADMIN = EnumSet.of(Who.SERVICE, Who.ADMIN);

  /** One request; {@code body} null for none. */
  private record Call(String method, String path, Object body) {}

  /** An endpoint, who may call it and what they get, and its request against a fixture of its own. */
  private record Rule(String endpoint, Set<Who> allowed, int success, Function<Fixture, Call> call) {}

  /** What a request needs, made on first use: a policy of its own, a coupon of the owner's, a reservation of it. */
  private static final class Fixture {
    private Long policyId;
    private Long couponId;
    private String reservationId;

    long policyId() {
      if (policyId == null) {
        policyId = api.createPolicy(port, Map.of("maxIssueCount", 100));
      }
      return policyId;
    }

    long couponId() {
      if (couponId == null) {
        Response issued = api.issue(port, walletPolicyId, OWNER_ID, null);
        assertEquals(201, issued.status(), issued.body()::toString);
        couponId = issued.longField("couponId");
      }
      return couponId;
    }

    String reservationId() {
      if (reservationId == null) {
        reservationId = "AUTH-" + reservations.incrementAndGet();
        Response reserved = api.send(port, "POST", "/api/coupons/reserve", ApiClient.serviceToken(),
            reservation(reservationId, OWNER_ID, couponId()));
        assertEquals(200, reserved.status(), reserved.body()::toString);
      }
      return reservationId;
    }

    Map<String, Object> newReservation() {
      return reservation("AUTH-" + reservations.incrementAndGet(), OWNER_ID, couponId());
    }
  }

  private static Map<String, Object> reservation(String reservationId, long userId, long couponId) {
    return Map.of("reservationId", reservationId, "userId", userId, "couponId", couponId, "orderAmount", 50_000,
        "orderId", "O-" + reservationId);
  }

  @BeforeAll
  static void start() {
    node = TestNodes.startSingle(database);
    port = node.httpPort();
    Map<String, Object> wallet = new HashMap<>(Map.of("distributionType", "DOWNLOAD", "couponCode", "MATRIX",
        "maxIssuePerUser", 100_000));
    wallet.put("maxIssueCount", null);
    walletPolicyId = api.createPolicy(port, wallet);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static List<Rule> rules() {
    Map<String, Object> newPolicy = Map.of("couponName", "Matrix", "discountType", "FIXED_AMOUNT",
        "discountValue", 500, "distributionType", "DOWNLOAD", "validDays", 7,
        "validFrom", "2020-01-01T00:00:00Z", "validUntil", "2099-01-01T00:00:00Z");
    String wallet = "/api/coupons/users/" + OWNER_ID;
    return List.of(
        new Rule("create a policy", ADMIN_ONLY, 201, f -> new Call("POST", "/api/coupon-policies", newPolicy)),
        new Rule("list policies", ANY_CALLER, 200, f -> new Call("GET", "/api/coupon-policies", null)),
        new Rule("read a policy", ANY_CALLER, 200, f -> new Call("GET", "/api/coupon-policies/" + f.policyId(), null)),
        new Rule("change the stock", ADMIN_ONLY, 200, f -> new Call("PATCH",
            "/api/coupon-policies/" + f.policyId() + "/remaining-quantity", Map.of("newMaxIssueCount", 200))),
        new Rule("deactivate", ADMIN_ONLY, 200, f -> new Call("POST",
            "/api/coupon-policies/" + f.policyId() + "/deactivate", null)),
        new Rule("activate", ADMIN_ONLY, 200, f -> new Call("POST",
            "/api/coupon-policies/" + f.policyId() + "/activate", null)),
        new Rule("policy statistics", ADMIN_ONLY, 200, f -> new Call("GET",
            "/api/coupon-policies/" + f.policyId() + "/statistics", null)),
        new Rule("download", THE_USER_ITSELF, 201, f -> new Call("POST", "/api/coupons/download",
            Map.of("couponCode", "MATRIX", "userId", OWNER_ID))),
        new Rule("issue", THE_USER_ITSELF, 201, f -> new Call("POST",
            "/api/coupon-policies/" + walletPolicyId + "/issue", Map.of("userId", OWNER_ID))),
        new Rule("direct-issue", ADMIN_ONLY, 201, f -> new Call("POST", "/api/coupons/direct-issue",
            Map.of("couponPolicyId", f.policyId(), "userIds", List.of(OWNER_ID)))),
        new Rule("validate a code", ANY_CALLER, 200, f -> new Call("GET", "/api/coupons/validate/MATRIX", null)),
        new Rule("reserve", OWNER_SERVICE_ADMIN, 200, f -> new Call("POST", "/api/coupons/reserve",
            f.newReservation())),
        new Rule("apply", OWNER_SERVICE_ADMIN, 200, f -> new Call("POST", "/api/coupons/apply", f.newReservation())),
        new Rule("release", OWNER_SERVICE_ADMIN, 204, f -> new Call("DELETE",
            "/api/coupons/apply/" + f.reservationId(), null)),
        new Rule("confirm", SERVICE_ADMIN, 200, f -> new Call("POST",
            "/api/coupons/reservations/" + f.reservationId() + "/confirm", Map.of("paymentId", "P-1"))),
        new Rule("cancel", SERVICE_ADMIN, 200, f -> new Call("POST", "/api/coupons/" + f.couponId() + "/cancel",
            Map.of("reason", "order cancelled"))),
        new Rule("read a coupon", OWNER_SERVICE_ADMIN, 200, f -> new Call("GET", "/api/coupons/" + f.couponId(), null)),
        new Rule("the wallet", OWNER_SERVICE_ADMIN, 200, f -> new Call("GET", wallet, null)),
        new Rule("expiring coupons", OWNER_SERVICE_ADMIN, 200, f -> new Call("GET", wallet + "/expiring", null)),
        new Rule("user statistics", OWNER_SERVICE_ADMIN, 200, f -> new Call("GET", wallet + "/statistics", null)),
        new Rule("daily statistics", ADMIN_ONLY, 200, f -> new Call("GET",
            "/api/statistics/daily?from=2026-01-01&to=2026-01-31", null)),
        new Rule("the live stream", ADMIN_ONLY, 200, f -> new Call("GET", "/api/statistics/stream", null)));
  }

  @TestFactory
  Stream<DynamicTest> eachCallerGetsWhatItsRolesAllow() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Rule rule : rules()) {
      for (Who who : Who.values()) {
        tests.add(DynamicTest.dynamicTest(rule.endpoint() + " as " + who, () -> {
          Call call = rule.call().apply(new Fixture());
          long journalRows = database.queryLong("SELECT count(*) FROM event_journal");
          Response response = send(call, who.token());
          if (who == Who.ANONYMOUS) {
            assertErrorBody(response, 401, "UNAUTHORIZED");
          } else if (!rule.allowed().contains(who)) {
            assertErrorBody(response, 403, "FORBIDDEN");
          } else {
            assertEquals(rule.success(), response.status(), () -> response.body().toString());
            return;
          }
          assertEquals(journalRows, database.queryLong("SELECT count(*) FROM event_journal"), "nothing was written");
        }));
      }
    }
    return tests.stream();
  }

  @Test
  void aUserGivingItsOwnIdCannotUseAnotherUsersCoupon() {
    Fixture owners = new Fixture();
    for (String path : List.of("/api/coupons/reserve", "/api/coupons/apply")) {
      assertErrorBody(api.send(port, "POST", path, Who.OTHER_USER.token(),
          reservation("AUTH-THEIRS-" + path.length(), OTHER_ID, owners.couponId())), 403, "FORBIDDEN");
    }
    assertEquals("ISSUED", api.send(port, "GET", "/api/coupons/" + owners.couponId(), ApiClient.adminToken(), null)
        .body().path("status").asText());
  }

  @Test
  void operatorsReadMetricsAndTheContractWithoutAToken() {
    for (String path : List.of("/metrics", "/openapi.yaml", "/health")) {
      assertEquals(200, send(new Call("GET", path, null), null).status(), path);
    }
  }

  /** The response's status and, unless it is an event stream (whose body never ends), its JSON body. */
  private static Response send(Call call, String token) {
    var request = ApiClient.request(port, call.method(), call.path(), token,
        call.body() == null ? null : ApiClient.json(call.body())).build();
    try {
      HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (!type.startsWith("application/json")) {
          return new Response(response.statusCode(), MissingNode.getInstance(), null);
        }
        String text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
        return new Response(response.statusCode(), text.isEmpty() ? MissingNode.getInstance() : JSON.readTree(text),
            null);
      }
    } catch (IOException e) {
      throw new AssertionError(call + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(call + " interrupted", e);
    }
  }
}
