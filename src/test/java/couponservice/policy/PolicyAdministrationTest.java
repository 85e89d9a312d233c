package couponservice.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import couponservice.node.ServiceNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.Eventually;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The policy endpoints end to end: creation, unique codes, listing, stock changes, activation. */
class PolicyAdministrationTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  private static ServiceNode node;
  @RegisterExtension
  static final ApiClient api = new ApiClient();
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

  private static Response admin(String method, String path, Object body) {
    return api.send(port, method, path, ApiClient.adminToken(), body);
  }

  private static Map<String, Object> codePolicy(String code) {
    Map<String, Object> body = new HashMap<>();
    body.put("couponName", "Welcome 10,000");
    body.put("couponCode", code);
    body.put("discountType", "FIXED_AMOUNT");
    body.put("discountValue", 10000);
    body.put("minimumOrderAmount", 30000);
    body.put("maxDiscountAmount", null);
    body.put("distributionType", "CODE");
    body.put("maxIssueCount", 2);
    body.put("maxIssuePerUser", 1);
    body.put("validDuration", "PT2H");
    body.put("validFrom", "2020-01-01T00:00:00Z");
    body.put("validUntil", "2099-12-31T23:59:59Z");
    return body;
  }

  @Test
  void aCreatedPolicyIsAnsweredAsTheContractDescribesIt() {
    Response created = admin("POST", "/api/coupon-policies", codePolicy("SHAPE1"));
    assertEquals(201, created.status());
    JsonNode policy = created.body();
    for (String field : List.of("policyId", "couponName", "couponCode", "discountType", "discountValue",
        "minimumOrderAmount", "maxDiscountAmount", "distributionType", "maxIssueCount", "maxIssuePerUser", "validDays",
        "validDuration", "validFrom", "validUntil", "triggerEventType", "isActive", "currentIssueCount", "remainingCount",
        "createdAt", "updatedAt")) {
      assertTrue(policy.has(field), "missing " + field);
    }
    assertTrue(policy.path("isActive").asBoolean());
    assertEquals("PT2H", policy.path("validDuration").asText());
    assertEquals(2, policy.path("remainingCount").asLong());
    assertTrue(policy.path("createdAt").asText().endsWith("Z"));

    Response read = api.send(port, "GET", "/api/coupon-policies/" + policy.path("policyId").asLong(),
        ApiClient.userToken(1), null);
    assertEquals(policy, read.body());
  }

  @Test
  void theLimitsOfAPolicyIncludeTheirBounds() {
    Map<String, Object> largest = codePolicy("Max_Code-" + "9".repeat(41));
    largest.put("couponName", "n".repeat(100));
    largest.put("discountValue", 10_000_000_000L);
    largest.put("minimumOrderAmount", 0);
    largest.remove("maxIssuePerUser");
    Response created = admin("POST", "/api/coupon-policies", largest);
    assertEquals(201, created.status(), created.body()::toString);
    assertEquals(0, created.body().path("discountValue").decimalValue().compareTo(new java.math.BigDecimal("1E10")));
    assertEquals(1, created.longField("maxIssuePerUser"), "the default");
    assertTrue(created.body().path("triggerEventType").isNull());

    Map<String, Object> smallest = codePolicy("MIN-PERCENT");
    smallest.put("discountType", "PERCENTAGE");
    smallest.put("discountValue", 100);
    smallest.put("minimumOrderAmount", null);
    smallest.put("maxDiscountAmount", 0.01);
    smallest.put("validDuration", "PT1M");
    Response percent = admin("POST", "/api/coupon-policies", smallest);
    assertEquals(201, percent.status(), percent.body()::toString);
    assertEquals("0.01", percent.body().path("maxDiscountAmount").asText());
    assertTrue(percent.body().path("minimumOrderAmount").isNull(), "no minimum");
  }

  @Test
  void couponCodesAreUniqueIgnoringCaseAndDownloadResolvesThemIgnoringCase() {
    Response first = admin("POST", "/api/coupon-policies", codePolicy("Summer-Sale"));
    assertEquals(201, first.status());
    Response clash = admin("POST", "/api/coupon-policies", codePolicy("SUMMER-sale"));
    assertEquals(409, clash.status());
    assertEquals("DUPLICATE_COUPON_CODE", clash.code());

    Response issued = api.send(port, "POST", "/api/coupons/download", ApiClient.userToken(77),
        Map.of("couponCode", "summer-SALE", "userId", 77));
    assertEquals(201, issued.status());
    assertEquals(first.longField("policyId"), issued.longField("policyId"));
    assertEquals("ISSUED", issued.body().path("status").asText());
    assertEquals(java.time.Instant.parse(issued.body().path("issuedAt").asText()).plus(Duration.ofHours(2)),
        java.time.Instant.parse(issued.body().path("expiryDate").asText()));
  }

  @Test
  void theListIsNewestFirstAndItsCursorWalksEveryPolicyOnce() {
    List<Long> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      created.add(admin("POST", "/api/coupon-policies", codePolicy("LIST" + i)).longField("policyId"));
    }
    // Policies are projected by several slices, each at its own pace: wait until all five are listed.
    Eventually.await(Duration.ofSeconds(10), "the read model lists policies " + created, () -> {
      List<Long> listed = new ArrayList<>();
      admin("GET", "/api/coupon-policies?limit=100", null).body().path("policies")
          .forEach(p -> listed.add(p.path("policyId").asLong()));
      return listed.containsAll(created);
    });

    List<Long> walked = new ArrayList<>();
    String cursor = null;
    do {
      Response page = admin("GET", "/api/coupon-policies?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), null);
      page.body().path("policies").forEach(p -> walked.add(p.path("policyId").asLong()));
      assertEquals(page.body().path("hasMore").asBoolean(), !page.body().path("nextCursor").isNull());
      cursor = page.body().path("nextCursor").isNull() ? null : page.body().path("nextCursor").asText();
    } while (cursor != null);
    List<Long> sorted = new ArrayList<>(walked);
    sorted.sort((a, b) -> Long.compare(b, a));
    assertEquals(sorted, walked, "newest first");
    assertEquals(walked.size(), walked.stream().distinct().count(), "no policy twice");
    assertTrue(walked.containsAll(created));
  }

  @Test
  void stockChangesAndDeactivationAreEnforcedAtOnce() {
    long policyId = admin("POST", "/api/coupon-policies", codePolicy("STOCK1")).longField("policyId");
    String download = "/api/coupons/download";
    assertEquals(201, api.send(port, "POST", download, ApiClient.userToken(1), Map.of("couponCode", "STOCK1", "userId", 1)).status());
    assertEquals(201, api.send(port, "POST", download, ApiClient.userToken(2), Map.of("couponCode", "STOCK1", "userId", 2)).status());
    assertEquals("COUPON_SOLD_OUT",
        api.send(port, "POST", download, ApiClient.userToken(3), Map.of("couponCode", "STOCK1", "userId", 3)).code());

    Response patched = admin("PATCH", "/api/coupon-policies/" + policyId + "/remaining-quantity",
        Map.of("newMaxIssueCount", 5, "modifiedBy", "ADMIN", "reason", "more stock"));
    assertEquals(200, patched.status());
    assertEquals(Map.of("couponPolicyId", policyId, "previousMaxIssueCount", 2L, "newMaxIssueCount", 5L,
            "currentIssuedCount", 2L, "remainingCount", 3L, "success", true),
        Map.of("couponPolicyId", patched.longField("couponPolicyId"),
            "previousMaxIssueCount", patched.longField("previousMaxIssueCount"),
            "newMaxIssueCount", patched.longField("newMaxIssueCount"),
            "currentIssuedCount", patched.longField("currentIssuedCount"),
            "remainingCount", patched.longField("remainingCount"),
            "success", patched.body().path("success").asBoolean()));
    assertEquals(201, api.send(port, "POST", download, ApiClient.userToken(3), Map.of("couponCode", "STOCK1", "userId", 3)).status());

    Response deactivated = admin("POST", "/api/coupon-policies/" + policyId + "/deactivate", null);
    assertFalse(deactivated.body().path("isActive").asBoolean());
    assertEquals("POLICY_INACTIVE",
        api.send(port, "POST", download, ApiClient.userToken(4), Map.of("couponCode", "STOCK1", "userId", 4)).code());
    assertTrue(admin("POST", "/api/coupon-policies/" + policyId + "/activate", null).body().path("isActive").asBoolean());
    assertEquals(201, api.send(port, "POST", download, ApiClient.userToken(4), Map.of("couponCode", "STOCK1", "userId", 4)).status());
    assertEquals(4, admin("GET", "/api/coupon-policies/" + policyId, null).longField("currentIssueCount"));
  }

  @Test
  void aPolicyOutsideItsWindowDoesNotIssue() {
    Map<String, Object> future = codePolicy("FUTURE1");
    future.put("validFrom", "2098-01-01T00:00:00Z");
    admin("POST", "/api/coupon-policies", future);
    assertEquals("POLICY_INACTIVE", api.send(port, "POST", "/api/coupons/download", ApiClient.userToken(9),
        Map.of("couponCode", "FUTURE1", "userId", 9)).code());
  }
}
