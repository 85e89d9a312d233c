package couponservice.policy;

import static couponservice.testkit.ApiAssertions.assertErrorBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import couponservice.node.ServiceNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.LegacyJournal;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /api/coupon-policies/{policyId}/history} end to end, on the journal of a real PostgreSQL database. */
class PolicyHistoryApiTest {
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

  private static Response admin(String method, String path, Object body) {
    Response response = api.send(port, method, path, ApiClient.adminToken(), body);
    assertTrue(response.status() < 300, () -> method + " " + path + ": " + response.raw().body());
    return response;
  }

  /** A policy that went through every listed kind of change, with a single issuance among them. */
  private static long administeredPolicy() {
    long policyId = api.createPolicy(port, Map.of("couponName", "History", "maxIssueCount", 100));
    assertEquals(201, api.issue(port, policyId, 5, null).status());
    admin("PATCH", "/api/coupon-policies/" + policyId + "/remaining-quantity",
        Map.of("newMaxIssueCount", 200, "modifiedBy", "ops-lead", "reason", "spring campaign"));
    admin("POST", "/api/coupon-policies/" + policyId + "/deactivate", null);
    admin("POST", "/api/coupon-policies/" + policyId + "/activate", null);
    Response direct = api.send(ApiClient.request(port, "POST", "/api/coupons/direct-issue", ApiClient.adminToken(),
            ApiClient.json(Map.of("couponPolicyId", policyId, "userIds", List.of(11, 12, 13), "issuedBy", "crm")))
        .header("X-Request-Id", "history-direct-" + policyId).build());
    assertEquals(201, direct.status(), () -> direct.raw().body());
    return policyId;
  }

  private static List<JsonNode> entries(Response page) {
    return StreamSupport.stream(page.body().path("entries").spliterator(), false).toList();
  }

  private static List<String> field(List<JsonNode> entries, String name) {
    return entries.stream().map(entry -> entry.path(name).isNull() ? null : entry.path(name).asText()).toList();
  }

  @Test
  void theHistoryListsEveryAdministrativeChangeOldestFirstWithWhoAndWhy() {
    long policyId = administeredPolicy();
    Response page = admin("GET", "/api/coupon-policies/" + policyId + "/history", null);
    List<JsonNode> entries = entries(page);
    assertEquals(List.of("CREATED", "MAX_ISSUE_COUNT_CHANGED", "DEACTIVATED", "ACTIVATED", "DIRECT_ISSUED"),
        field(entries, "type"), "the single issuance is not listed");
    assertEquals(Arrays.asList("test-admin", "ops-lead", "test-admin", "test-admin", "crm"), field(entries, "by"));
    assertEquals(Arrays.asList(null, "spring campaign", null, null, null), field(entries, "reason"));
    List<String> times = field(entries, "at");
    assertTrue(times.stream().allMatch(at -> at.endsWith("Z")), times::toString);
    assertEquals(times.stream().sorted().toList(), times, "oldest first");

    JsonNode created = entries.get(0).path("details");
    assertEquals("History", created.path("couponName").asText());
    assertEquals("FIRST_COME", created.path("distributionType").asText());
    assertEquals(100, created.path("maxIssueCount").asLong());
    JsonNode stock = entries.get(1).path("details");
    assertEquals(100, stock.path("previousMaxIssueCount").asLong());
    assertEquals(200, stock.path("newMaxIssueCount").asLong());
    assertTrue(entries.get(2).path("details").isObject() && entries.get(2).path("details").isEmpty());
    JsonNode direct = entries.get(4).path("details");
    assertEquals(3, direct.path("count").asInt());
    assertEquals("history-direct-" + policyId, direct.path("requestId").asText());

    assertFalse(page.body().path("hasMore").asBoolean());
    assertTrue(page.body().path("nextCursor").isNull());
  }

  @Test
  void pagesOfTwoWalkTheWholeHistoryOnce() {
    long policyId = administeredPolicy();
    List<String> types = new ArrayList<>();
    List<Boolean> hasMore = new ArrayList<>();
    String cursor = null;
    do {
      Response page = admin("GET", "/api/coupon-policies/" + policyId + "/history?limit=2"
          + (cursor == null ? "" : "&cursor=" + cursor), null);
      List<JsonNode> entries = entries(page);
      assertTrue(entries.size() <= 2);
      types.addAll(field(entries, "type"));
      hasMore.add(page.body().path("hasMore").asBoolean());
      cursor = page.body().path("nextCursor").isNull() ? null : page.body().path("nextCursor").asText();
      assertEquals(hasMore.get(hasMore.size() - 1), cursor != null, "a next cursor exactly when there is more");
    } while (cursor != null);
    assertEquals(List.of("CREATED", "MAX_ISSUE_COUNT_CHANGED", "DEACTIVATED", "ACTIVATED", "DIRECT_ISSUED"), types);
    assertEquals(List.of(true, true, false), hasMore);
  }

  @Test
  void onlyAnAdminReadsAHistoryOfAPolicyThatExists() {
    long policyId = api.createPolicy(port, Map.of());
    String history = "/api/coupon-policies/" + policyId + "/history";
    assertErrorBody(api.send(port, "GET", history, ApiClient.userToken(5), null), 403, "FORBIDDEN");
    assertErrorBody(api.send(port, "GET", history, null, null), 401, "UNAUTHORIZED");
    assertErrorBody(api.send(port, "GET", "/api/coupon-policies/987654/history", ApiClient.adminToken(), null),
        404, "POLICY_NOT_FOUND");
    assertErrorBody(api.send(port, "GET", "/api/coupon-policies/987654/history?cursor=MQ", ApiClient.adminToken(),
        null), 404, "POLICY_NOT_FOUND");
    assertErrorBody(api.send(port, "GET", history + "?limit=0", ApiClient.adminToken(), null), 400,
        "VALIDATION_FAILED");
    assertErrorBody(api.send(port, "GET", history + "?cursor=%21%21", ApiClient.adminToken(), null), 400,
        "VALIDATION_FAILED");
  }

  @Test
  void eventsOfThePreviousVersionAreListedWithoutWho() {
    try (TestDatabase legacy = TestDatabase.create(); ServiceNode legacyNode = TestNodes.startSingle(legacy)) {
      LegacyJournal.load(legacy, "journal/journal-before-issuance-terms.json");
      Response page = api.send(legacyNode.httpPort(), "GET", "/api/coupon-policies/1/history", ApiClient.adminToken(),
          null);
      assertEquals(200, page.status(), () -> page.raw().body());
      List<JsonNode> entries = entries(page);
      assertEquals(List.of("CREATED", "MAX_ISSUE_COUNT_CHANGED", "DEACTIVATED", "ACTIVATED"), field(entries, "type"),
          "the batches issued before origins were recorded are single issuances");
      assertEquals(Arrays.asList(null, "ops", null, null), field(entries, "by"));
      assertEquals("legacy stock", entries.get(1).path("reason").asText());
      assertEquals(100, entries.get(1).path("details").path("previousMaxIssueCount").asLong());
      assertEquals(50, entries.get(1).path("details").path("newMaxIssueCount").asLong());
      assertEquals("LEGACY2026", entries.get(0).path("details").path("couponCode").asText());
    }
  }
}
