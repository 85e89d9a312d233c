package couponservice.readside;

import static couponservice.testkit.ApiAssertions.assertErrorBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import couponservice.node.ServiceNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.Eventually;
import couponservice.testkit.OffsetClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The read side over HTTP: wallet pages and filters, expiring coupons, user, policy and daily
 * statistics, the live stream, code validation, metrics and the OpenAPI document. Run against one node
 * per database kind; the node's clock is {@link #clock()}, which tests move forward.
 */
abstract class ReadSideContract {
  // Shared by the subclasses (one per database kind), so not closed after each of them.
  protected static final ApiClient api = new ApiClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration READ_VIEW = Duration.ofSeconds(15);

  protected abstract ServiceNode node();

  private int port() {
    return node().httpPort();
  }

  protected abstract OffsetClock clock();

  private long policy(Map<String, Object> overrides) {
    Map<String, Object> terms = new HashMap<>(Map.of("distributionType", "DOWNLOAD", "maxIssuePerUser", 100));
    terms.put("maxIssueCount", null);
    terms.putAll(overrides);
    return api.createPolicy(port(), terms);
  }

  private long issue(long policyId, long userId) {
    Response issued = api.send(port(), "POST", "/api/coupon-policies/" + policyId + "/issue", ApiClient.userToken(userId),
        Map.of("userId", userId));
    assertEquals(201, issued.status(), issued.body()::toString);
    return issued.longField("couponId");
  }

  private Response get(String path, String token) {
    return api.send(port(), "GET", path, token, null);
  }

  private Response reserve(String reservationId, long userId, long couponId) {
    Response reserved = api.send(port(), "POST", "/api/coupons/reserve", ApiClient.serviceToken(), Map.of(
        "reservationId", reservationId, "userId", userId, "couponId", couponId, "orderAmount", 50_000,
        "orderId", "O-" + reservationId));
    assertEquals(200, reserved.status(), reserved.body()::toString);
    return reserved;
  }

  private void confirm(String reservationId) {
    Response confirmed = api.send(port(), "POST", "/api/coupons/reservations/" + reservationId + "/confirm",
        ApiClient.serviceToken(), Map.of("paymentId", "P-" + reservationId));
    assertEquals(200, confirmed.status(), confirmed.body()::toString);
  }

  private static List<Long> ids(JsonNode coupons) {
    List<Long> ids = new ArrayList<>();
    coupons.forEach(c -> ids.add(c.path("couponId").asLong()));
    return ids;
  }

  private JsonNode awaitBody(String path, String what, java.util.function.Predicate<JsonNode> condition) {
    JsonNode[] last = new JsonNode[1];
    Eventually.await(READ_VIEW, what + " (last: " + path + ")", () -> {
      Response response = get(path, ApiClient.adminToken());
      last[0] = response.body();
      return response.status() == 200 && condition.test(response.body());
    });
    return last[0];
  }

  @Test
  void walletPagesAreNewestFirstWithoutGapsOrRepeatsWhileCouponsAreIssued() throws Exception {
    long user = 5_001;
    long policyId = policy(Map.of());
    List<Long> issued = new ArrayList<>();
    for (int i = 0; i < 45; i++) {
      issued.add(issue(policyId, user));
    }
    awaitBody("/api/coupons/users/" + user + "/statistics", "45 coupons in the wallet",
        body -> body.path("totalCoupons").asLong() == 45);

    CompletableFuture<List<Long>> issuing = CompletableFuture.supplyAsync(() ->
        Stream.generate(() -> issue(policyId, user)).limit(15).toList());
    List<Long> walked = new ArrayList<>();
    List<Instant> issuedAts = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Response page = get("/api/coupons/users/" + user + "?limit=10" + (cursor == null ? "" : "&cursor=" + cursor),
          ApiClient.userToken(user));
      assertEquals(200, page.status(), page.body()::toString);
      page.body().path("coupons").forEach(c -> issuedAts.add(Instant.parse(c.path("issuedAt").asText())));
      walked.addAll(ids(page.body().path("coupons")));
      cursor = page.body().path("nextCursor").isNull() ? null : page.body().path("nextCursor").asText();
      assertEquals(cursor != null, page.body().path("hasMore").asBoolean());
      pages++;
    } while (cursor != null && pages < 20);
    List<Long> issuedMeanwhile = issuing.get(30, TimeUnit.SECONDS);

    assertEquals(walked.size(), new HashSet<>(walked).size(), "no coupon twice: " + walked);
    assertTrue(walked.containsAll(issued), "every coupon issued before the walk is on a page");
    Set<Long> known = new HashSet<>(issued);
    known.addAll(issuedMeanwhile);
    assertTrue(known.containsAll(walked), "only this user's coupons");
    for (int i = 1; i < walked.size(); i++) {
      int order = issuedAts.get(i - 1).compareTo(issuedAts.get(i));
      assertTrue(order > 0 || (order == 0 && walked.get(i - 1) > walked.get(i)), "newest first at " + i);
    }
  }

  @Test
  void walletFiltersLimitsAndUserStatistics() {
    long user = 5_002;
    Map<String, Object> oneHour = new HashMap<>(Map.of("validDuration", "PT1H"));
    oneHour.put("validDays", null);
    long expiring = issue(policy(oneHour), user);
    clock().advance(Duration.ofHours(2));
    long policyId = policy(Map.of("discountValue", 1000));
    long reserved = issue(policyId, user);
    long used = issue(policyId, user);
    long available = issue(policyId, user);
    reserve("F-1", user, reserved);
    reserve("F-2", user, used);
    confirm("F-2");

    String base = "/api/coupons/users/" + user;
    awaitBody(base, "all four coupons in the wallet", body -> body.path("coupons").size() == 4);
    awaitBody(base + "?status=USED", "the used coupon in the wallet", body -> ids(body.path("coupons")).equals(List.of(used)));
    awaitBody(base + "?status=AVAILABLE", "the reserved coupon no longer available",
        body -> ids(body.path("coupons")).equals(List.of(available)));
    assertEquals(List.of(available, reserved),
        ids(get(base + "?status=UNUSED", ApiClient.userToken(user)).body().path("coupons")));
    JsonNode expired = get(base + "?status=EXPIRED", ApiClient.userToken(user)).body().path("coupons");
    assertEquals(List.of(expiring), ids(expired));
    assertEquals("EXPIRED", expired.get(0).path("status").asText());
    JsonNode all = get(base, ApiClient.userToken(user)).body();
    assertEquals(List.of(available, used, reserved, expiring), ids(all.path("coupons")));
    assertFalse(all.path("hasMore").asBoolean());
    assertTrue(all.path("nextCursor").isNull());
    JsonNode first = all.path("coupons").get(3);
    assertEquals(user, first.path("userId").asLong());
    assertEquals("Test coupon", first.path("couponName").asText());

    JsonNode statistics = get(base + "/statistics", ApiClient.userToken(user)).body();
    assertEquals(4, statistics.path("totalCoupons").asLong());
    assertEquals(1, statistics.path("availableCoupons").asLong());
    assertEquals(1, statistics.path("usedCoupons").asLong());
    assertEquals(1, statistics.path("expiredCoupons").asLong());
    assertEquals(1000, statistics.path("totalSavedAmount").asInt());

    assertErrorBody(get(base + "?limit=101", ApiClient.userToken(user)), 400, "VALIDATION_FAILED");
    assertErrorBody(get(base + "?limit=0", ApiClient.userToken(user)), 400, "VALIDATION_FAILED");
    assertErrorBody(get(base + "?status=GONE", ApiClient.userToken(user)), 400, "VALIDATION_FAILED");
    assertErrorBody(get(base + "?cursor=bm90LWEtY3Vyc29y", ApiClient.userToken(user)), 400, "VALIDATION_FAILED");
    assertErrorBody(get(base + "/expiring?days=0", ApiClient.userToken(user)), 400, "VALIDATION_FAILED");
    assertErrorBody(get(base + "/expiring?limit=101", ApiClient.userToken(user)), 400, "VALIDATION_FAILED");
    assertErrorBody(get(base, ApiClient.userToken(user + 1)), 403, "FORBIDDEN");
    assertErrorBody(get(base + "/statistics", ApiClient.userToken(user + 1)), 403, "FORBIDDEN");
    assertErrorBody(get(base, null), 401, "UNAUTHORIZED");
    assertErrorBody(get("/api/coupons/users/x1", ApiClient.adminToken()), 400, "VALIDATION_FAILED");
    assertEquals(200, get(base, ApiClient.serviceToken()).status());
  }

  @Test
  void expiringListsAvailableCouponsSoonestFirst() {
    long user = 5_003;
    long inThreeDays = issue(policy(Map.of("validDays", 3)), user);
    long inTenDays = issue(policy(Map.of("validDays", 10)), user);
    long tomorrow = issue(policy(Map.of("validDays", 1)), user);
    String path = "/api/coupons/users/" + user + "/expiring?days=7";
    JsonNode body = awaitBody(path, "coupons expiring within 7 days",
        b -> ids(b.path("coupons")).equals(List.of(tomorrow, inThreeDays)));
    assertFalse(ids(body.path("coupons")).contains(inTenDays));
    assertEquals(List.of(tomorrow), ids(get(path + "&limit=1", ApiClient.userToken(user)).body().path("coupons")));
  }

  @Test
  void policyAndDailyStatisticsCountTheLifecycle() {
    // A day of its own, far from the other tests' events.
    Duration shift = Duration.ofDays(3650);
    clock().advance(shift);
    try {
      LocalDate day = LocalDate.ofInstant(clock().instant(), ZoneOffset.UTC);
      long policyId = policy(Map.of("maxIssueCount", 10, "discountValue", 1000));
      List<Long> coupons = new ArrayList<>();
      int issuedFrom = hourNow();
      for (long user = 6_001; user <= 6_005; user++) {
        coupons.add(issue(policyId, user));
      }
      int issuedUntil = hourNow();
      for (int i = 0; i < 4; i++) {
        reserve("S-" + i, 6_001 + i, coupons.get(i));
      }
      int usedFrom = hourNow();
      confirm("S-0");
      int usedUntil = hourNow();
      assertEquals(204, api.send(port(), "DELETE", "/api/coupons/apply/S-1", ApiClient.serviceToken(), null).status());
      assertEquals(200, api.send(port(), "POST", "/api/coupons/" + coupons.get(2) + "/cancel", ApiClient.serviceToken(),
          Map.of("reason", "order cancelled")).status());

      JsonNode statistics = awaitBody("/api/coupon-policies/" + policyId + "/statistics", "policy statistics",
          b -> b.path("used").asLong() == 1 && b.path("cancelled").asLong() == 1 && b.path("reserved").asLong() == 1);
      assertEquals(policyId, statistics.path("policyId").asLong());
      assertEquals(5, statistics.path("issued").asLong());
      assertEquals(5, statistics.path("remaining").asLong());
      assertEquals(0, statistics.path("expired").asLong());
      assertEquals(1000, statistics.path("totalDiscountAmount").asInt());

      String daily = "/api/statistics/daily?from=" + day.minusDays(1) + "&to=" + day.plusDays(1);
      JsonNode days = awaitBody(daily, "the day's statistics",
          b -> b.path("days").get(1).path("totalIssued").asLong() == 5
              && b.path("days").get(1).path("totalUsed").asLong() == 1
              && b.path("days").get(1).path("totalReserved").asLong() == 4).path("days");
      assertEquals(3, days.size());
      JsonNode today = days.get(1);
      assertEquals(day.toString(), today.path("date").asText());
      assertEquals(5, today.path("totalIssued").asLong());
      assertEquals(0, today.path("totalExpired").asLong());
      assertEquals(5, sum(today.path("issueByHour")));
      assertEquals(5, sumOfHours(today.path("issueByHour"), issuedFrom, issuedUntil), "counted in the hour of issue");
      assertEquals(1, sum(today.path("usageByHour")));
      assertEquals(1, sumOfHours(today.path("usageByHour"), usedFrom, usedUntil), "counted in the hour of use");
      assertEquals(24, today.path("issueByHour").size());
      assertEquals(0, days.get(0).path("totalIssued").asLong());
      assertEquals(0, days.get(2).path("totalIssued").asLong());

      assertErrorBody(get("/api/statistics/daily?from=" + day + "&to=" + day.minusDays(1), ApiClient.adminToken()),
          400, "VALIDATION_FAILED");
      assertErrorBody(get("/api/statistics/daily?from=" + day, ApiClient.adminToken()), 400, "VALIDATION_FAILED");
      assertErrorBody(get("/api/statistics/daily?from=2026-13-01&to=2026-12-31", ApiClient.adminToken()),
          400, "VALIDATION_FAILED");
      assertErrorBody(get(daily, ApiClient.userToken(6_001)), 403, "FORBIDDEN");
      assertErrorBody(get("/api/coupon-policies/" + policyId + "/statistics", ApiClient.userToken(6_001)), 403, "FORBIDDEN");
      assertErrorBody(get("/api/coupon-policies/999999/statistics", ApiClient.adminToken()), 404, "POLICY_NOT_FOUND");
    } finally {
      clock().advance(shift.negated());
    }
  }

  /** The node's hour of the day (UTC), the key of an hourly bucket. */
  private int hourNow() {
    return clock().instant().atZone(ZoneOffset.UTC).getHour();
  }

  /** The buckets "from" to "until" of an hourly map, summed. */
  private static long sumOfHours(JsonNode byHour, int from, int until) {
    long total = 0;
    for (int hour = from; hour <= until; hour++) {
      total += byHour.path(Integer.toString(hour)).asLong();
    }
    return total;
  }

  private static long sum(JsonNode counts) {
    long total = 0;
    for (JsonNode count : counts) {
      total += count.asLong();
    }
    return total;
  }

  @Test
  void theLiveStreamSendsStatsSoonAfterAnIssuance() throws Exception {
    assertErrorBody(get("/api/statistics/stream", ApiClient.userToken(1)), 403, "FORBIDDEN");
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/api/statistics/stream"))
        .header("Authorization", "Bearer " + ApiClient.adminToken()).GET().build();
    CompletableFuture<HttpResponse<Stream<String>>> stream = client.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
    HttpResponse<Stream<String>> response = stream.get(10, TimeUnit.SECONDS);
    assertEquals(200, response.statusCode());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
    Thread reader = new Thread(() -> response.body().forEach(lines::add));
    reader.setDaemon(true);
    reader.start();
    try {
      long policyId = policy(Map.of("maxIssueCount", 50));
      issue(policyId, 7_001);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      String event = null;
      String data = null;
      JsonNode stats = null;
      while (stats == null && System.nanoTime() < deadline) {
        String line = lines.poll(100, TimeUnit.MILLISECONDS);
        if (line == null) {
          continue;
        }
        if (line.startsWith("event:")) {
          event = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
          data = line.substring(5);
        } else if (line.isEmpty()) {
          // An event ends with a blank line; its fields may come in any order.
          if ("stats".equals(event) && data != null) {
            JsonNode candidate = JSON.readTree(data);
            if (candidate.path("policyId").asLong() == policyId && candidate.path("issued").asLong() == 1) {
              stats = candidate;
            }
          }
          event = null;
          data = null;
        }
      }
      assertTrue(stats != null, "a stats event for the issuance within 10 s");
      assertEquals(49, stats.path("remaining").asLong());
      assertTrue(stats.has("reserved") && stats.has("used") && stats.has("issuedPerSecond"), stats::toString);
    } finally {
      response.body().close();
    }
  }

  @Test
  void validateTellsWhetherACodeCanBeRedeemedNow() {
    String code = "READ-" + System.nanoTime() % 1_000_000;
    long policyId = policy(Map.of("distributionType", "CODE", "couponCode", code));
    String user = ApiClient.userToken(8_001);
    JsonNode valid = get("/api/coupons/validate/" + code.toLowerCase(), user).body();
    assertTrue(valid.path("valid").asBoolean(), valid::toString);
    assertEquals(code.toLowerCase(), valid.path("couponCode").asText());
    assertFalse(get("/api/coupons/validate/NOPE-404", user).body().path("valid").asBoolean());
    Response malformed = get("/api/coupons/validate/bad%21code", user);
    assertEquals(200, malformed.status());
    assertFalse(malformed.body().path("valid").asBoolean());
    assertEquals(200, api.send(port(), "POST", "/api/coupon-policies/" + policyId + "/deactivate",
        ApiClient.adminToken(), null).status());
    JsonNode inactive = get("/api/coupons/validate/" + code, user).body();
    assertFalse(inactive.path("valid").asBoolean());
    assertTrue(inactive.path("message").asText().contains("deactivated"), inactive::toString);
    assertErrorBody(get("/api/coupons/validate/" + code, null), 401, "UNAUTHORIZED");
  }

  @Test
  void metricsAndTheOpenApiDocumentAreServedWithoutAToken() {
    long policyId = policy(Map.of());
    issue(policyId, 9_001);
    get("/api/coupons/validate/ANY", ApiClient.userToken(9_001));
    get("/api/coupons/users/9001?limit=5", ApiClient.userToken(9_001));
    get("/api/coupons/users/9001?limit=500", ApiClient.userToken(9_001));
    get("/no/such/route/123", null);
    Eventually.await(READ_VIEW, "the issuance counted by the read model", () ->
        metric(text("/metrics").body(), "coupons_total{event=\"issued\"}") >= 1);
    String metrics = text("/metrics").body();
    assertTrue(metric(metrics, "http_server_requests_seconds_count{method=\"POST\",route=\"/api/coupon-policies/{policyId}/issue\",status=\"201\"}") >= 1,
        "issue requests counted by route template");
    assertTrue(metric(metrics, "http_server_requests_seconds_count{method=\"GET\",route=\"/api/coupons/users/{userId}\",status=\"200\"}") >= 1,
        "wallet pages counted by route template");
    assertTrue(metric(metrics, "http_server_requests_seconds_count{method=\"GET\",route=\"/api/coupons/users/{userId}\",status=\"400\"}") >= 1,
        "refused wallet pages counted by route template");
    assertTrue(metric(metrics, "http_server_requests_seconds_count{method=\"GET\",route=\"unmatched\",status=\"404\"}") >= 1);
    assertTrue(metrics.contains("http_server_requests_seconds_bucket{"), "latency histograms");
    assertTrue(metrics.contains("projection_lag_seconds_bucket{"), "projection lag");
    Eventually.await(READ_VIEW, "the payment consumer's lag reported", () ->
        metric(text("/metrics").body(), "kafka_consumer_lag_records{topic=\"payment.completed.v1\"}") >= 0);

    HttpResponse<String> openapi = text("/openapi.yaml");
    assertEquals(200, openapi.statusCode());
    assertTrue(openapi.headers().firstValue("Content-Type").orElse("").startsWith("application/yaml"));
    String document = openapi.body();
    assertTrue(document.startsWith("openapi: 3."), "an OpenAPI 3 document");
    node().routes().stream()
        .map(route -> route.substring(route.indexOf(' ') + 1))
        .filter(template -> !template.startsWith("/admin"))
        .forEach(template -> assertTrue(document.contains("\n  " + template + ":"), "the document describes " + template));
    assertTrue(document.contains("ErrorBody"));
  }

  /** A response that is not JSON, without a token. */
  private HttpResponse<String> text(String path) {
    try {
      return HttpClient.newHttpClient().send(ApiClient.request(port(), "GET", path, null, null).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("GET " + path + " failed", e);
    }
  }

  /** The value of one sample line of the Prometheus text, or -1 when absent. */
  static double metric(String text, String sample) {
    return text.lines().filter(line -> line.startsWith(sample + " ")).findFirst()
        .map(line -> Double.parseDouble(line.substring(sample.length() + 1).trim())).orElse(-1.0);
  }
}
