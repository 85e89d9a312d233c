package couponservice.issuance;

import static couponservice.testkit.ApiAssertions.assertErrorBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import couponservice.node.ServiceNode;
import couponservice.policy.DistributionType;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * API.md "Issuance" and the stock rules of "Coupon policies" over HTTP: which endpoint issues which distribution
 * type, the issuing window, the first outcome of an Idempotency-Key (refusals included), the direct issue's answer,
 * stock that cancelling does not give back, and a stock that cannot be set below what was issued.
 */
class IssuanceContractTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();

  private static ServiceNode node;
  private static int port;

  @BeforeAll
  static void start() {
    node = TestNodes.startSingle(database);
    port = node.httpPort();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static long policy(Map<String, Object> overrides) {
    return api.createPolicy(port, overrides);
  }

  private static Response download(String code, long userId) {
    return api.send(port, "POST", "/api/coupons/download", ApiClient.userToken(userId),
        Map.of("couponCode", code, "userId", userId));
  }

  private static Response issue(long policyId, long userId) {
    return api.issue(port, policyId, userId, null);
  }

  private static Response directIssue(long policyId, List<Long> userIds) {
    return api.send(port, "POST", "/api/coupons/direct-issue", ApiClient.adminToken(),
        Map.of("couponPolicyId", policyId, "userIds", userIds, "issuedBy", "crm"));
  }

  private static JsonNode policyView(long policyId) {
    return api.send(port, "GET", "/api/coupon-policies/" + policyId, ApiClient.adminToken(), null).body();
  }

  private static JsonNode validation(String code) {
    Response validation = api.send(port, "GET", "/api/coupons/validate/" + code, ApiClient.userToken(1), null);
    assertEquals(200, validation.status(), validation.body()::toString);
    return validation.body();
  }

  private static Set<String> fieldNames(JsonNode object) {
    Set<String> names = new TreeSet<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void eachEndpointIssuesOnlyItsDistributionTypesAndValidateAgreesWithDownload() {
    Set<DistributionType> byCode = EnumSet.of(DistributionType.CODE, DistributionType.DOWNLOAD);
    Set<DistributionType> byPolicy = EnumSet.of(DistributionType.DOWNLOAD, DistributionType.FIRST_COME);
    for (DistributionType type : DistributionType.values()) {
      String code = "TYPE-" + type;
      long policyId = policy(Map.of("distributionType", type.name(), "couponCode", code, "triggerEventType", "SIGNUP",
          "maxIssuePerUser", 5));

      Response downloaded = download(code.toLowerCase(), 1);
      if (byCode.contains(type)) {
        assertEquals(201, downloaded.status(), type + ": " + downloaded.body());
        assertEquals(Set.of("couponId", "policyId", "couponName", "discountType", "discountValue", "status",
            "expiryDate", "issuedAt"), fieldNames(downloaded.body()), "the issuance answer");
        assertEquals(policyId, downloaded.longField("policyId"));
        assertEquals("ISSUED", downloaded.body().path("status").asText());
      } else {
        assertErrorBody(downloaded, 400, "DISTRIBUTION_TYPE_MISMATCH");
      }
      JsonNode validation = validation(code);
      assertEquals(byCode.contains(type), validation.path("valid").asBoolean(),
          type + ": validate says what download does: " + validation);

      Response issued = issue(policyId, 2);
      if (byPolicy.contains(type)) {
        assertEquals(201, issued.status(), type + ": " + issued.body());
      } else {
        assertErrorBody(issued, 400, "DISTRIBUTION_TYPE_MISMATCH");
      }

      Response direct = directIssue(policyId, List.of(3L));
      assertEquals(201, direct.status(), type + ": " + direct.body());
      assertEquals("SUCCESS", direct.body().path("results").get(0).path("status").asText(), type + " is issued directly");

      long expected = 1 + (byCode.contains(type) ? 1 : 0) + (byPolicy.contains(type) ? 1 : 0);
      assertEquals(expected, policyView(policyId).path("currentIssueCount").asLong(), type + ": refusals issued nothing");
    }
  }

  @Test
  void aPolicyIssuesOnlyWithinItsWindow() {
    long ended = policy(Map.of("distributionType", "DOWNLOAD", "couponCode", "ENDED",
        "validFrom", "2020-01-01T00:00:00Z", "validUntil", "2021-01-01T00:00:00Z"));
    long notYet = policy(Map.of("distributionType", "DOWNLOAD", "couponCode", "NOT-YET",
        "validFrom", "2098-01-01T00:00:00Z", "validUntil", "2099-01-01T00:00:00Z"));
    for (long policyId : List.of(ended, notYet)) {
      assertTrue(policyView(policyId).path("isActive").asBoolean(), "active, yet outside its window");
      assertErrorBody(issue(policyId, 10), 400, "POLICY_INACTIVE");
      assertErrorBody(directIssue(policyId, List.of(10L)), 400, "POLICY_INACTIVE");
      assertEquals(0, policyView(policyId).path("currentIssueCount").asLong());
    }
    assertErrorBody(download("ENDED", 10), 400, "POLICY_INACTIVE");
    assertFalse(validation("ENDED").path("valid").asBoolean());
    assertFalse(validation("NOT-YET").path("valid").asBoolean());
  }

  @Test
  void aRetryWithTheSameIdempotencyKeyGetsTheFirstOutcomeRefusalsIncluded() {
    long policyId = policy(Map.of("maxIssueCount", 1));
    assertEquals(201, api.issue(port, policyId, 20, "sale-20").status());
    Response soldOut = api.issue(port, policyId, 21, "sale-21");
    assertErrorBody(soldOut, 410, "COUPON_SOLD_OUT");

    assertEquals(200, api.send(port, "PATCH", "/api/coupon-policies/" + policyId + "/remaining-quantity",
        ApiClient.adminToken(), Map.of("newMaxIssueCount", 3, "modifiedBy", "ops", "reason", "more")).status());
    Response retried = api.issue(port, policyId, 21, "sale-21");
    assertErrorBody(retried, 410, "COUPON_SOLD_OUT");
    assertEquals(soldOut.body().path("message"), retried.body().path("message"), "the first outcome, not a new one");

    Response fresh = api.issue(port, policyId, 21, "sale-21-again");
    assertEquals(201, fresh.status(), fresh.body()::toString);
    Response freshRetried = api.issue(port, policyId, 21, "sale-21-again");
    assertEquals(201, freshRetried.status());
    assertEquals(fresh.body(), freshRetried.body(), "the same coupon, answered the same");
    assertEquals(201, api.issue(port, policyId, 22, "sale-21").status(), "a key is the user's own");
    assertEquals(3, policyView(policyId).path("currentIssueCount").asLong());
  }

  @Test
  void aDirectIssueAnswersEveryUserInTheOrderAsked() {
    Map<String, Object> terms = new HashMap<>(Map.of("distributionType", "DIRECT", "maxIssueCount", 3));
    long policyId = policy(terms);
    assertEquals(201, directIssue(policyId, List.of(32L)).status());

    Response direct = directIssue(policyId, List.of(31L, 32L, 33L, 34L, 35L));
    assertEquals(201, direct.status(), direct.body()::toString);
    JsonNode body = direct.body();
    assertEquals(Set.of("totalRequested", "successCount", "failureCount", "results"), fieldNames(body));
    assertEquals(5, body.path("totalRequested").asInt());
    assertEquals(2, body.path("successCount").asInt());
    assertEquals(3, body.path("failureCount").asInt());
    JsonNode results = body.path("results");
    List<String> expected = List.of("SUCCESS", "COUPON_ALREADY_ISSUED", "SUCCESS", "COUPON_SOLD_OUT", "COUPON_SOLD_OUT");
    for (int i = 0; i < expected.size(); i++) {
      JsonNode result = results.get(i);
      assertEquals(31 + i, result.path("userId").asLong(), "in the order asked");
      if (expected.get(i).equals("SUCCESS")) {
        assertEquals(Set.of("userId", "couponId", "status"), fieldNames(result));
        assertEquals("SUCCESS", result.path("status").asText());
        assertEquals(31 + i, api.send(port, "GET", "/api/coupons/" + result.path("couponId").asLong(),
            ApiClient.adminToken(), null).body().path("userId").asLong(), "the coupon is the user's");
      } else {
        assertEquals(Set.of("userId", "status", "errorCode"), fieldNames(result));
        assertEquals("FAILED", result.path("status").asText());
        assertEquals(expected.get(i), result.path("errorCode").asText());
      }
    }
    assertEquals(0, policyView(policyId).path("remainingCount").asLong());
  }

  @Test
  void aCancelledCouponDoesNotGiveItsStockBack() {
    long policyId = policy(Map.of("maxIssueCount", 1));
    long couponId = issue(policyId, 40).longField("couponId");
    Response cancelled = api.send(port, "POST", "/api/coupons/" + couponId + "/cancel", ApiClient.adminToken(),
        Map.of("reason", "fraud"));
    assertEquals("CANCELLED", cancelled.body().path("status").asText(), cancelled.body()::toString);

    assertErrorBody(issue(policyId, 41), 410, "COUPON_SOLD_OUT");
    JsonNode policy = policyView(policyId);
    assertEquals(1, policy.path("currentIssueCount").asLong());
    assertEquals(0, policy.path("remainingCount").asLong());
  }

  @Test
  void theStockCannotBeSetBelowWhatWasIssued() {
    long policyId = policy(Map.of("maxIssueCount", 5));
    for (long user = 50; user < 53; user++) {
      assertEquals(201, issue(policyId, user).status());
    }
    String quantity = "/api/coupon-policies/" + policyId + "/remaining-quantity";
    Response below = api.send(port, "PATCH", quantity, ApiClient.adminToken(),
        Map.of("newMaxIssueCount", 2, "modifiedBy", "ops", "reason", "fewer"));
    assertErrorBody(below, 400, "VALIDATION_FAILED");
    assertTrue(below.body().path("message").asText().contains("newMaxIssueCount"), below.body()::toString);
    assertEquals(5, policyView(policyId).path("maxIssueCount").asLong(), "nothing changed");

    Response exactly = api.send(port, "PATCH", quantity, ApiClient.adminToken(),
        Map.of("newMaxIssueCount", 3, "modifiedBy", "ops", "reason", "close the sale"));
    assertEquals(200, exactly.status(), exactly.body()::toString);
    assertEquals(0, exactly.longField("remainingCount"));
    assertErrorBody(issue(policyId, 60), 410, "COUPON_SOLD_OUT");

    Map<String, Object> unlimited = new HashMap<>(Map.of("distributionType", "DOWNLOAD"));
    unlimited.put("maxIssueCount", null);
    long unlimitedId = policy(unlimited);
    assertTrue(policyView(unlimitedId).path("remainingCount").isNull(), "null while unlimited");
    Response limited = api.send(port, "PATCH", "/api/coupon-policies/" + unlimitedId + "/remaining-quantity",
        ApiClient.adminToken(), Map.of("newMaxIssueCount", 10));
    assertEquals(200, limited.status(), limited.body()::toString);
    assertTrue(limited.body().path("previousMaxIssueCount").isNull(), limited.body()::toString);
    assertEquals(10, limited.longField("remainingCount"));
  }

  @Test
  void aCouponExpiresItsValidityAfterIssue() {
    Map<String, Object> flash = new HashMap<>(Map.of("validDuration", "PT2H"));
    flash.put("validDays", null);
    JsonNode coupon = issue(policy(flash), 70).body();
    assertEquals(Duration.ofHours(2), Duration.between(Instant.parse(coupon.path("issuedAt").asText()),
        Instant.parse(coupon.path("expiryDate").asText())));
    JsonNode days = issue(policy(Map.of("validDays", 3)), 70).body();
    assertEquals(Duration.ofDays(3), Duration.between(Instant.parse(days.path("issuedAt").asText()),
        Instant.parse(days.path("expiryDate").asText())));
  }
}
