package couponservice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import couponservice.node.ServiceNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import static couponservice.testkit.ApiAssertions.assertErrorBody;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.net.http.HttpRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every malformed request gets the documented 4xx with the contract's error body, and changes nothing:
 * the journal holds exactly as many rows after the whole table as before it.
 */
class MalformedRequestTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  private static ServiceNode node;
  @RegisterExtension
  static final ApiClient api = new ApiClient();
  private static long policyId;
  private static long journalRowsBefore;

  @BeforeAll
  static void start() {
    node = TestNodes.startSingle(database);
    policyId = api.createPolicy(node.httpPort(), Map.of("couponCode", "KNOWN", "distributionType", "DOWNLOAD"));
    journalRowsBefore = database.queryLong("SELECT count(*) FROM event_journal");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private record Case(String name, String method, String path, String contentType, String body, int status, String code) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Map<String, Object> validPolicy() {
    Map<String, Object> body = new HashMap<>();
    body.put("couponName", "Welcome");
    body.put("couponCode", "WELCOME");
    body.put("discountType", "FIXED_AMOUNT");
    body.put("discountValue", 10000);
    body.put("minimumOrderAmount", 30000);
    body.put("distributionType", "CODE");
    body.put("maxIssueCount", 1000);
    body.put("maxIssuePerUser", 1);
    body.put("validDays", 30);
    body.put("validFrom", "2026-01-01T00:00:00Z");
    body.put("validUntil", "2026-12-31T23:59:59Z");
    return body;
  }

  private static Case policyWith(String name, Consumer<Map<String, Object>> change) {
    Map<String, Object> body = validPolicy();
    change.accept(body);
    return new Case(name, "POST", "/api/coupon-policies", "application/json", ApiClient.json(body), 400, "VALIDATION_FAILED");
  }

  private static Case invalid(String name, String method, String path, String body) {
    return new Case(name, method, path, "application/json", body, 400, "VALIDATION_FAILED");
  }

  static Stream<Case> malformedRequests() {
    String issue = "/api/coupon-policies/" + policyId + "/issue";
    String tooManyIds = LongStream.rangeClosed(1, 10_001).mapToObj(Long::toString).collect(Collectors.joining(",", "[", "]"));
    return Stream.of(
        invalid("truncated JSON", "POST", "/api/coupon-policies", "{\"couponName\":"),
        invalid("JSON array instead of object", "POST", "/api/coupon-policies", "[1,2]"),
        invalid("empty body", "POST", "/api/coupon-policies", ""),
        policyWith("couponName of the wrong type", b -> b.put("couponName", 123)),
        policyWith("couponName missing", b -> b.remove("couponName")),
        policyWith("couponName of 101 characters", b -> b.put("couponName", "x".repeat(101))),
        policyWith("couponName with a NUL character", b -> b.put("couponName", "bad\u0000name")),
        policyWith("couponCode with a space", b -> b.put("couponCode", "WEL COME")),
        policyWith("couponCode of 51 characters", b -> b.put("couponCode", "A".repeat(51))),
        policyWith("discountValue of the wrong type", b -> b.put("discountValue", "abc")),
        policyWith("negative discountValue", b -> b.put("discountValue", -5)),
        policyWith("discountValue with 3 decimals", b -> b.put("discountValue", 10.123)),
        policyWith("discountValue over 10,000,000,000", b -> b.put("discountValue", 10_000_000_001L)),
        policyWith("PERCENTAGE over 100", b -> {
          b.put("discountType", "PERCENTAGE");
          b.put("discountValue", 150);
        }),
        policyWith("discountValue of 0", b -> b.put("discountValue", 0)),
        policyWith("unknown discountType", b -> b.put("discountType", "BOGO")),
        policyWith("couponName empty", b -> b.put("couponName", "")),
        policyWith("couponCode empty", b -> b.put("couponCode", "")),
        policyWith("minimumOrderAmount with 3 decimals", b -> b.put("minimumOrderAmount", 0.001)),
        policyWith("minimumOrderAmount over 10,000,000,000", b -> b.put("minimumOrderAmount", 10_000_000_000.01)),
        policyWith("maxDiscountAmount of 0", b -> b.put("maxDiscountAmount", 0)),
        policyWith("validDays of 0", b -> b.put("validDays", 0)),
        policyWith("validFrom equal to validUntil", b -> b.put("validFrom", b.get("validUntil"))),
        policyWith("discountType missing", b -> b.remove("discountType")),
        policyWith("unknown distributionType", b -> b.put("distributionType", "LOTTERY")),
        policyWith("CODE policy without a code", b -> b.remove("couponCode")),
        policyWith("FIRST_COME without maxIssueCount", b -> {
          b.put("distributionType", "FIRST_COME");
          b.remove("maxIssueCount");
        }),
        policyWith("EVENT without triggerEventType", b -> b.put("distributionType", "EVENT")),
        policyWith("maxIssueCount of 0", b -> b.put("maxIssueCount", 0)),
        policyWith("maxIssueCount of 1.5", b -> b.put("maxIssueCount", 1.5)),
        policyWith("maxIssuePerUser of 0", b -> b.put("maxIssuePerUser", 0)),
        policyWith("minimumOrderAmount negative", b -> b.put("minimumOrderAmount", -1)),
        policyWith("validDays and validDuration both given", b -> b.put("validDuration", "PT2H")),
        policyWith("neither validDays nor validDuration", b -> b.remove("validDays")),
        policyWith("validDuration below one minute", b -> {
          b.remove("validDays");
          b.put("validDuration", "PT30S");
        }),
        policyWith("validDuration not ISO-8601", b -> {
          b.remove("validDays");
          b.put("validDuration", "two hours");
        }),
        policyWith("validFrom after validUntil", b -> b.put("validFrom", "2027-01-01T00:00:00Z")),
        policyWith("validUntil not a timestamp", b -> b.put("validUntil", "tomorrow")),
        invalid("non-numeric policy id", "GET", "/api/coupon-policies/abc", null),
        invalid("zero policy id", "GET", "/api/coupon-policies/0", null),
        invalid("negative policy id", "GET", "/api/coupon-policies/-1", null),
        invalid("policy id beyond a long", "GET", "/api/coupon-policies/99999999999999999999", null),
        invalid("limit of 0", "GET", "/api/coupon-policies?limit=0", null),
        invalid("limit of 101", "GET", "/api/coupon-policies?limit=101", null),
        invalid("limit not a number", "GET", "/api/coupon-policies?limit=ten", null),
        invalid("cursor not from the API", "GET", "/api/coupon-policies?cursor=%21%21", null),
        invalid("userId as a string", "POST", issue, "{\"userId\":\"12\"}"),
        invalid("userId of 0", "POST", issue, "{\"userId\":0}"),
        invalid("userId with a fraction", "POST", issue, "{\"userId\":1.5}"),
        invalid("userId missing", "POST", issue, "{}"),
        invalid("non-numeric policy id on issue", "POST", "/api/coupon-policies/x1/issue", "{\"userId\":1}"),
        invalid("couponCode with bad characters", "POST", "/api/coupons/download", "{\"couponCode\":\"a b\",\"userId\":1}"),
        invalid("couponCode missing", "POST", "/api/coupons/download", "{\"userId\":1}"),
        invalid("direct-issue with a duplicate user", "POST", "/api/coupons/direct-issue",
            "{\"couponPolicyId\":" + policyId + ",\"userIds\":[1,2,1]}"),
        invalid("direct-issue with no users", "POST", "/api/coupons/direct-issue",
            "{\"couponPolicyId\":" + policyId + ",\"userIds\":[]}"),
        invalid("direct-issue with 10,001 users", "POST", "/api/coupons/direct-issue",
            "{\"couponPolicyId\":" + policyId + ",\"userIds\":" + tooManyIds + "}"),
        invalid("direct-issue with a negative user", "POST", "/api/coupons/direct-issue",
            "{\"couponPolicyId\":" + policyId + ",\"userIds\":[-4]}"),
        invalid("newMaxIssueCount negative", "PATCH", "/api/coupon-policies/" + policyId + "/remaining-quantity",
            "{\"newMaxIssueCount\":-1}"),
        invalid("newMaxIssueCount of the wrong type", "PATCH", "/api/coupon-policies/" + policyId + "/remaining-quantity",
            "{\"newMaxIssueCount\":\"many\"}"),
        invalid("reserve with a non-numeric couponId", "POST", "/api/coupons/reserve",
            "{\"reservationId\":\"R\",\"userId\":1,\"couponId\":\"abc\",\"orderAmount\":100}"),
        invalid("reserve with a negative orderAmount", "POST", "/api/coupons/reserve",
            "{\"reservationId\":\"R\",\"userId\":1,\"couponId\":1000000001,\"orderAmount\":-1}"),
        invalid("reserve with an orderAmount of 0", "POST", "/api/coupons/reserve",
            "{\"reservationId\":\"R\",\"userId\":1,\"couponId\":1000000001,\"orderAmount\":0}"),
        invalid("reserve with an orderAmount over 10,000,000,000", "POST", "/api/coupons/reserve",
            "{\"reservationId\":\"R\",\"userId\":1,\"couponId\":1000000001,\"orderAmount\":10000000000.01}"),
        invalid("reserve with a couponId of 0", "POST", "/api/coupons/reserve",
            "{\"reservationId\":\"R\",\"userId\":1,\"couponId\":0,\"orderAmount\":100}"),
        invalid("reserve without reservationId", "POST", "/api/coupons/reserve",
            "{\"userId\":1,\"couponId\":1000000001,\"orderAmount\":100}"),
        invalid("reserve with a control character in reservationId", "POST", "/api/coupons/reserve",
            "{\"reservationId\":\"R\\u0000\",\"userId\":1,\"couponId\":1000000001,\"orderAmount\":100}"),
        invalid("reserve with a 65-character reservationId", "POST", "/api/coupons/reserve",
            "{\"reservationId\":\"" + "r".repeat(65) + "\",\"userId\":1,\"couponId\":1000000001,\"orderAmount\":100}"),
        invalid("apply with orderAmount of 3 decimals", "POST", "/api/coupons/apply",
            "{\"reservationId\":\"R\",\"userId\":1,\"couponId\":1000000001,\"orderAmount\":1.005}"),
        invalid("non-numeric coupon id", "GET", "/api/coupons/abc", null),
        invalid("zero coupon id on cancel", "POST", "/api/coupons/0/cancel", "{}"),
        new Case("coupon id no policy could have issued", "GET", "/api/coupons/5", null, null, 404, "COUPON_NOT_FOUND"),
        new Case("reading the download route", "GET", "/api/coupons/download", null, null, 405, "METHOD_NOT_ALLOWED"),
        new Case("confirm of an unknown reservation", "POST", "/api/coupons/reservations/NOPE/confirm", "application/json",
            "{}", 404, "RESERVATION_NOT_FOUND"),
        new Case("body over 64 KiB", "POST", "/api/coupon-policies", "application/json",
            "{\"couponName\":\"" + "x".repeat(70_000) + "\"}", 413, "PAYLOAD_TOO_LARGE"),
        new Case("body that is not JSON", "POST", "/api/coupon-policies", "text/plain", "couponName=x", 415,
            "UNSUPPORTED_MEDIA_TYPE"),
        new Case("unknown route", "GET", "/api/coupons-nowhere", null, null, 404, "NOT_FOUND"),
        new Case("route outside the API", "GET", "/", null, null, 404, "NOT_FOUND"),
        new Case("wrong method", "DELETE", "/api/coupon-policies/" + policyId, null, null, 405, "METHOD_NOT_ALLOWED"),
        new Case("unknown policy", "GET", "/api/coupon-policies/987654", null, null, 404, "POLICY_NOT_FOUND"),
        new Case("issue on an unknown policy", "POST", "/api/coupon-policies/987654/issue", "application/json",
            "{\"userId\":1}", 404, "POLICY_NOT_FOUND"),
        new Case("download of an unknown code", "POST", "/api/coupons/download", "application/json",
            "{\"couponCode\":\"NOPE\",\"userId\":1}", 404, "COUPON_CODE_NOT_FOUND"),
        invalid("dead letters of a topic the service does not consume", "GET", "/api/dead-letters?topic=coupon.issued",
            null),
        invalid("dead letters without a topic", "GET", "/api/dead-letters", null),
        invalid("dead letters with a cursor not from the API", "GET",
            "/api/dead-letters?topic=payment.failed.v1&cursor=%21%21", null),
        new Case("replay of an id the API never gave out", "POST", "/api/dead-letters/bm9wZQ/replay", null, null, 404,
            "DEAD_LETTER_NOT_FOUND"),
        invalid("history with a cursor not from the API", "GET",
            "/api/coupon-policies/" + policyId + "/history?cursor=%21%21", null),
        new Case("history of an unknown policy", "GET", "/api/coupon-policies/987654/history", null, null, 404,
            "POLICY_NOT_FOUND"),
        new Case("stock below what was issued", "PATCH", "/api/coupon-policies/" + policyId + "/remaining-quantity",
            "application/json", "{\"newMaxIssueCount\":0}", 400, "VALIDATION_FAILED"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedRequests")
  void isRefusedWithTheContractsErrorBody(Case c) {
    HttpRequest.Builder request = ApiClient.request(node.httpPort(), c.method(), c.path(), ApiClient.adminToken(), c.body());
    if (c.contentType() != null) {
      request.setHeader("Content-Type", c.contentType());
    }
    assertErrorBody(api.send(request.build()), c.status(), c.code());
  }


  @Test
  void anIdempotencyKeyLongerThan64CharactersIsRefused() {
    Response response = api.send(ApiClient.request(node.httpPort(), "POST", "/api/coupon-policies/" + policyId + "/issue",
        ApiClient.userToken(5), "{\"userId\":5}").header("Idempotency-Key", "k".repeat(65)).build());
    assertErrorBody(response, 400, "VALIDATION_FAILED");
  }

  @Test
  void nothingWasWrittenByTheRefusedRequests() {
    malformedRequests().forEach(this::isRefusedWithTheContractsErrorBody);
    assertEquals(journalRowsBefore, database.queryLong("SELECT count(*) FROM event_journal"));
    Response policy = api.send(node.httpPort(), "GET", "/api/coupon-policies/" + policyId, ApiClient.adminToken(), null);
    assertEquals(0, policy.longField("currentIssueCount"));
    assertEquals(100, policy.longField("maxIssueCount"));
  }

  @Test
  void theMessageNamesTheOffendingField() {
    Response response = api.send(node.httpPort(), "POST", "/api/coupon-policies", ApiClient.adminToken(),
        Map.of("couponName", "x", "discountType", "PERCENTAGE", "discountValue", 101));
    assertTrue(response.body().path("message").asText().contains("discountValue"), response.body()::toString);
    List.of("userId").forEach(field -> assertTrue(api.send(node.httpPort(), "POST",
        "/api/coupon-policies/" + policyId + "/issue", ApiClient.adminToken(), Map.of())
        .body().path("message").asText().contains(field)));
  }
}
