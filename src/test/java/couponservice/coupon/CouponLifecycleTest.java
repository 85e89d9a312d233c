package couponservice.coupon;

import static couponservice.testkit.ApiAssertions.assertErrorBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import couponservice.node.ServiceNode;
import couponservice.policy.CouponIds;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.Eventually;
import couponservice.testkit.Hammer;
import couponservice.testkit.OffsetClock;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Reserve, confirm, release, cancel, timeouts and expiry over HTTP, on PostgreSQL. */
class CouponLifecycleTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();



  private static Config lifecycle(String timeout) {
    return ConfigFactory.parseMap(Map.of(
        "coupon.lifecycle.reservation-timeout", timeout,
        "coupon.lifecycle.reservation-sweep-interval", "300ms",
        "coupon.lifecycle.expiry-sweep-interval", "300ms"));
  }

  private static ServiceNode node(Config lifecycle, OffsetClock clock) {
    return TestNodes.start(TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(), lifecycle), clock);
  }

  /** A DOWNLOAD policy (10% off, at most 5,000, orders from 10,000) and one coupon for each user. */
  private static List<Long> coupons(int port, String validDuration, long... users) {
    Map<String, Object> terms = new HashMap<>();
    terms.put("distributionType", "DOWNLOAD");
    terms.put("discountType", "PERCENTAGE");
    terms.put("discountValue", 10);
    terms.put("maxDiscountAmount", 5000);
    terms.put("minimumOrderAmount", 10000);
    terms.put("maxIssueCount", null);
    terms.put("validDays", null);
    terms.put("validDuration", validDuration);
    long policyId = api.createPolicy(port, terms);
    return java.util.Arrays.stream(users).mapToObj(user -> {
      Response issued = api.send(port, "POST", "/api/coupon-policies/" + policyId + "/issue", ApiClient.userToken(user),
          Map.of("userId", user));
      assertEquals(201, issued.status(), issued.body()::toString);
      return issued.longField("couponId");
    }).toList();
  }

  private static Map<String, Object> reservation(String reservationId, long userId, long couponId, Number amount) {
    return Map.of("reservationId", reservationId, "userId", userId, "couponId", couponId, "orderAmount", amount,
        "orderId", "ORDER-" + reservationId);
  }

  private static Set<String> fieldNames(JsonNode object) {
    Set<String> names = new TreeSet<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static String status(int port, long couponId) {
    return api.send(port, "GET", "/api/coupons/" + couponId, ApiClient.adminToken(), null).body().path("status").asText();
  }

  @Test
  void aCouponGoesThroughReserveReleaseReserveConfirmWithTheRightCallers() {
    try (ServiceNode node = node(lifecycle("10"), new OffsetClock())) {
      int port = node.httpPort();
      long coupon = coupons(port, "P7D", 7).get(0);
      String user = ApiClient.userToken(7);

      Response reserved = api.send(port, "POST", "/api/coupons/reserve", user, reservation("R-1", 7, coupon, 100_000));
      assertEquals(200, reserved.status(), reserved.body()::toString);
      assertEquals(5000, reserved.body().path("discountAmount").asInt());
      assertTrue(reserved.body().path("success").asBoolean());
      assertEquals(reserved.body(),
          api.send(port, "POST", "/api/coupons/reserve", user, reservation("R-1", 7, coupon, 100_000)).body(),
          "the same reservation again answers the same");
      Response applied = api.send(port, "POST", "/api/coupons/apply", user, reservation("R-1", 7, coupon, 100_000));
      assertEquals("R-1", applied.body().path("reservationId").asText());
      assertEquals(5000, applied.body().path("maxDiscountAmount").asInt());
      assertEquals("RESERVED", status(port, coupon));

      assertErrorBody(api.send(port, "GET", "/api/coupons/" + coupon, ApiClient.userToken(8), null), 403, "FORBIDDEN");
      assertErrorBody(api.send(port, "DELETE", "/api/coupons/apply/R-1", ApiClient.userToken(8), null), 403, "FORBIDDEN");
      assertEquals(204, api.send(port, "DELETE", "/api/coupons/apply/R-1", user, null).status());
      assertEquals("ISSUED", status(port, coupon));
      assertErrorBody(api.send(port, "DELETE", "/api/coupons/apply/R-404", user, null), 404, "RESERVATION_NOT_FOUND");

      assertEquals(200, api.send(port, "POST", "/api/coupons/reserve", ApiClient.serviceToken(),
          reservation("R-2", 7, coupon, 30_000)).status());
      assertErrorBody(api.send(port, "POST", "/api/coupons/reservations/R-2/confirm", user,
          Map.of("orderId", "ORDER-R-2", "paymentId", "P-1")), 403, "FORBIDDEN");
      Response used = api.send(port, "POST", "/api/coupons/reservations/R-2/confirm", ApiClient.serviceToken(),
          Map.of("orderId", "ORDER-R-2", "paymentId", "P-1"));
      assertEquals(200, used.status(), used.body()::toString);
      assertEquals("USED", used.body().path("status").asText());
      assertEquals(3000, used.body().path("discountAmount").asInt());
      assertEquals(used.body(), api.send(port, "POST", "/api/coupons/reservations/R-2/confirm", ApiClient.serviceToken(),
          Map.of("orderId", "ORDER-R-2", "paymentId", "P-1")).body(), "confirming again answers the same");
      Response withoutBody = api.send(port, "POST", "/api/coupons/reservations/R-2/confirm", ApiClient.serviceToken(), null);
      assertEquals(used.body(), withoutBody.body(), "its fields are optional, so no body is a confirm too");
      assertErrorBody(api.send(port, "POST", "/api/coupons/reservations/R-404/confirm", ApiClient.serviceToken(),
          Map.of()), 404, "RESERVATION_NOT_FOUND");
      assertErrorBody(api.send(port, "POST", "/api/coupons/" + coupon + "/cancel", ApiClient.adminToken(),
          Map.of("reason", "late")), 409, "COUPON_ALREADY_USED");
      assertErrorBody(api.send(port, "POST", "/api/coupons/reserve", user, reservation("R-3", 7, coupon, 30_000)),
          409, "COUPON_ALREADY_USED");
    }
  }

  @Test
  void theAnswersOfReserveApplyAndReadCarryTheContractsFieldsAndADiscountRoundedDown() {
    try (ServiceNode node = node(lifecycle("10"), new OffsetClock())) {
      int port = node.httpPort();
      List<Long> held = coupons(port, "P7D", 11, 12);
      Response reserved = api.send(port, "POST", "/api/coupons/reserve", ApiClient.userToken(11),
          reservation("R-SHAPE", 11, held.get(0), new BigDecimal("12345.67")));
      assertEquals(Set.of("reservationId", "couponId", "success", "message", "reservedAt", "expiresAt", "discountAmount"),
          fieldNames(reserved.body()));
      assertEquals(new BigDecimal("1234.56"), reserved.body().path("discountAmount").decimalValue(),
          "10% of 12,345.67, rounded down");
      assertEquals(Duration.ofMinutes(10), Duration.between(Instant.parse(reserved.body().path("reservedAt").asText()),
          Instant.parse(reserved.body().path("expiresAt").asText())), "held for the reservation timeout");

      Response applied = api.send(port, "POST", "/api/coupons/apply", ApiClient.userToken(12),
          reservation("R-APPLY", 12, held.get(1), 20_000));
      assertEquals(Set.of("couponId", "couponName", "discountType", "discountValue", "maxDiscountAmount",
          "discountAmount", "reservationId"), fieldNames(applied.body()));
      assertEquals(held.get(1), applied.longField("couponId"));
      assertEquals("PERCENTAGE", applied.body().path("discountType").asText());
      assertEquals(10, applied.body().path("discountValue").asInt());
      assertEquals(2000, applied.body().path("discountAmount").asInt());
      assertEquals("RESERVED", status(port, held.get(1)), "apply reserves");

      JsonNode coupon = api.send(port, "GET", "/api/coupons/" + held.get(0), ApiClient.userToken(11), null).body();
      assertEquals(Set.of("couponId", "policyId", "userId", "couponName", "discountType", "discountValue",
          "minimumOrderAmount", "maxDiscountAmount", "status", "issuedAt", "expiryDate", "reservationId", "orderId",
          "reservedAt", "usedAt", "discountAmount"), fieldNames(coupon));
      assertEquals("R-SHAPE", coupon.path("reservationId").asText());
      assertEquals("ORDER-R-SHAPE", coupon.path("orderId").asText());
      assertEquals(10_000, coupon.path("minimumOrderAmount").asInt());
      assertTrue(coupon.path("usedAt").isNull());
    }
  }

  @Test
  void cancelledAndExpiredCouponsAreFinal() {
    OffsetClock clock = new OffsetClock();
    try (ServiceNode node = node(lifecycle("10"), clock)) {
      int port = node.httpPort();
      List<Long> ended = coupons(port, "PT1H", 81, 82);
      long cancelled = ended.get(0);
      Response cancel = api.send(port, "POST", "/api/coupons/" + cancelled + "/cancel", ApiClient.serviceToken(),
          Map.of("reason", "refund"));
      assertEquals("CANCELLED", cancel.body().path("status").asText(), cancel.body()::toString);
      assertEquals(cancel.body(), api.send(port, "POST", "/api/coupons/" + cancelled + "/cancel", ApiClient.adminToken(),
          Map.of("reason", "again")).body(), "cancelling again answers the same");
      assertEquals(cancel.body(), api.send(port, "POST", "/api/coupons/" + cancelled + "/cancel", ApiClient.adminToken(),
          null).body(), "its reason is optional, so no body is a cancel too");
      assertErrorBody(api.send(port, "POST", "/api/coupons/reserve", ApiClient.userToken(81),
          reservation("R-CANCELLED", 81, cancelled, 50_000)), 400, "COUPON_NOT_AVAILABLE");

      long expired = ended.get(1);
      clock.advance(Duration.ofHours(2));
      Eventually.await(Duration.ofSeconds(20), "the sweep expired coupon " + expired,
          () -> "EXPIRED".equals(status(port, expired)));
      assertErrorBody(api.send(port, "POST", "/api/coupons/reserve", ApiClient.userToken(82),
          reservation("R-EXPIRED", 82, expired, 50_000)), 410, "COUPON_EXPIRED");
      assertErrorBody(api.send(port, "POST", "/api/coupons/" + expired + "/cancel", ApiClient.adminToken(),
          Map.of("reason", "late")), 410, "COUPON_EXPIRED");
      assertEquals("CANCELLED", status(port, cancelled), "a cancelled coupon does not expire");
    }
  }

  @Test
  void aReservedCouponWhoseExpiryPassesIsStillConfirmedUntilItsReservationEnds() {
    OffsetClock clock = new OffsetClock();
    try (ServiceNode node = node(lifecycle("10"), clock)) {
      int port = node.httpPort();
      List<Long> coupons = coupons(port, "PT1H", 91, 92);
      long coupon = coupons.get(0);
      clock.advance(Duration.ofMinutes(55));
      assertEquals(200, api.send(port, "POST", "/api/coupons/reserve", ApiClient.serviceToken(),
          reservation("R-LATE-PAY", 91, coupon, 50_000)).status());
      clock.advance(Duration.ofMinutes(7));
      // The sweep that expires the other coupon, issued with it, leaves the held one to its order.
      Eventually.await(Duration.ofSeconds(20), "an expiry sweep after the expiry date",
          () -> "EXPIRED".equals(status(port, coupons.get(1))));
      assertEquals("RESERVED", status(port, coupon));
      Response used = api.send(port, "POST", "/api/coupons/reservations/R-LATE-PAY/confirm", ApiClient.serviceToken(),
          Map.of("orderId", "ORDER-R-LATE-PAY", "paymentId", "P-LATE"));
      assertEquals(200, used.status(), used.body()::toString);
      assertEquals("USED", used.body().path("status").asText());
    }
  }

  @Test
  void aCouponAcceptsOnlyWhatItsPolicyIssuedEvenRightAfterIssuance() {
    try (ServiceNode node = node(lifecycle("10"), new OffsetClock())) {
      int port = node.httpPort();
      long coupon = coupons(port, "P7D", 21).get(0);
      assertErrorBody(api.send(port, "POST", "/api/coupons/reserve", ApiClient.serviceToken(),
          reservation("R-X", 22, coupon, 50_000)), 400, "COUPON_NOT_AVAILABLE");
      assertErrorBody(api.send(port, "POST", "/api/coupons/reserve", ApiClient.userToken(22),
          reservation("R-X", 22, coupon, 50_000)), 403, "FORBIDDEN");
      assertErrorBody(api.send(port, "POST", "/api/coupons/reserve", ApiClient.userToken(21),
          reservation("R-X", 21, coupon, 9_000)), 400, "MINIMUM_ORDER_NOT_MET");
      long neverIssued = CouponIds.couponId(CouponIds.policyIdOf(coupon), 999);
      assertErrorBody(api.send(port, "GET", "/api/coupons/" + neverIssued, ApiClient.adminToken(), null),
          404, "COUPON_NOT_FOUND");
      assertErrorBody(api.send(port, "POST", "/api/coupons/reserve", ApiClient.userToken(21),
          reservation("R-Y", 21, neverIssued, 50_000)), 404, "COUPON_NOT_FOUND");
      assertEquals(200, api.send(port, "POST", "/api/coupons/reserve", ApiClient.userToken(21),
          reservation("R-X", 21, coupon, 50_000)).status());
      assertErrorBody(api.send(port, "POST", "/api/coupons/reserve", ApiClient.serviceToken(),
          reservation("R-X", 21, coupons(port, "P7D", 21).get(0), 50_000)), 409, "CONCURRENT_MODIFICATION");
    }
  }

  @Test
  void ofManyReservationsRacingForOneCouponExactlyOneWins() {
    try (ServiceNode node = node(lifecycle("10"), new OffsetClock())) {
      int port = node.httpPort();
      long coupon = coupons(port, "P7D", 31).get(0);
      List<Response> answers = Hammer.send(api, 64, 64, i -> ApiClient.request(port, "POST", "/api/coupons/reserve",
          ApiClient.serviceToken(), ApiClient.json(reservation("RACE-" + i, 31, coupon, 50_000))).build());
      List<Response> won = answers.stream().filter(r -> r.status() == 200).toList();
      assertEquals(1, won.size());
      assertTrue(answers.stream().filter(r -> r.status() != 200)
          .allMatch(r -> r.status() == 409 && "CONCURRENT_MODIFICATION".equals(r.code())));
      String winner = won.get(0).body().path("reservationId").asText();
      assertEquals(winner, api.send(port, "GET", "/api/coupons/" + coupon, ApiClient.adminToken(), null)
          .body().path("reservationId").asText());
    }
  }

  @Test
  void aReservationNotConfirmedInTimeIsReleasedAndItsConfirmExpires() {
    try (ServiceNode node = node(lifecycle("1s"), new OffsetClock())) {
      int port = node.httpPort();
      long coupon = coupons(port, "P7D", 41).get(0);
      assertEquals(200, api.send(port, "POST", "/api/coupons/reserve", ApiClient.serviceToken(),
          reservation("R-T", 41, coupon, 50_000)).status());
      Eventually.await(Duration.ofSeconds(10), "coupon " + coupon + " released", () -> "ISSUED".equals(status(port, coupon)));
      assertErrorBody(api.send(port, "POST", "/api/coupons/reservations/R-T/confirm", ApiClient.serviceToken(), Map.of()),
          410, "RESERVATION_EXPIRED");
    }
  }

  @Test
  void aHeldCouponIdleLongerThanThePassivationTimeIsTimedOutByItsOwnTimer() {
    // No sweep within the test: only the coupon's own timer can release it.
    Config config = ConfigFactory.parseMap(Map.of("coupon.lifecycle.reservation-timeout", "2s",
        "coupon.lifecycle.reservation-sweep-interval", "1h", "coupon.lifecycle.passivate-after", "300ms"));
    try (ServiceNode node = node(config, new OffsetClock())) {
      int port = node.httpPort();
      long coupon = coupons(port, "P7D", 21).get(0);
      assertEquals(200, api.send(port, "POST", "/api/coupons/reserve", ApiClient.serviceToken(),
          reservation("R-IDLE", 21, coupon, 20_000)).status());
      Eventually.await(Duration.ofSeconds(20), "the timer released the coupon", () -> database.queryLong(
          "SELECT count(*) FROM event_journal WHERE persistence_id = 'Coupon|" + coupon
              + "' AND event_ser_manifest LIKE '%$Released'") == 1);
      Eventually.await(Duration.ofSeconds(20), "the coupon, no longer held, left memory",
          () -> !TestNodes.entitiesInMemory(node, Coupon.ENTITY_KEY).contains(Long.toString(coupon)));
      assertEquals("ISSUED", status(port, coupon));
    }
  }

  @Test
  void aConfirmedCouponLeavesMemoryOnceIdle() {
    Config config = ConfigFactory.parseMap(Map.of("coupon.lifecycle.reservation-timeout", "1h",
        "coupon.lifecycle.reservation-sweep-interval", "1h", "coupon.lifecycle.passivate-after", "300ms"));
    try (ServiceNode node = node(config, new OffsetClock())) {
      int port = node.httpPort();
      long coupon = coupons(port, "P7D", 22).get(0);
      assertEquals(200, api.send(port, "POST", "/api/coupons/reserve", ApiClient.serviceToken(),
          reservation("R-USE", 22, coupon, 20_000)).status());
      assertTrue(TestNodes.entitiesInMemory(node, Coupon.ENTITY_KEY).contains(Long.toString(coupon)));
      assertEquals(200, api.send(port, "POST", "/api/coupons/reservations/R-USE/confirm", ApiClient.serviceToken(),
          Map.of()).status());
      Eventually.await(Duration.ofSeconds(20), "the used coupon left memory",
          () -> !TestNodes.entitiesInMemory(node, Coupon.ENTITY_KEY).contains(Long.toString(coupon)));
      assertEquals("USED", status(port, coupon));
    }
  }

  @Test
  void aReservationHeldWhenItsNodeStoppedIsReleasedAfterTheRestart() {
    Config config = TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(), lifecycle("3s"));
    long coupon;
    try (ServiceNode node = TestNodes.start(config)) {
      int port = node.httpPort();
      coupon = coupons(port, "P7D", 51).get(0);
      assertEquals(200, api.send(port, "POST", "/api/coupons/reserve", ApiClient.serviceToken(),
          reservation("R-S", 51, coupon, 50_000)).status());
      Eventually.await(Duration.ofSeconds(10), "the read model holds the reservation",
          () -> database.queryLong("SELECT count(*) FROM coupon_reservations WHERE reservation_id = 'R-S'") == 1);
    }
    try (ServiceNode restarted = TestNodes.start(config)) {
      Eventually.await(Duration.ofSeconds(20), "the reservation timed out after the restart", () -> database.queryLong(
          "SELECT count(*) FROM coupon_reservations WHERE reservation_id = 'R-S' AND status = 'EXPIRED'") == 1);
      assertEquals("ISSUED", status(restarted.httpPort(), coupon));
    }
  }

  @Test
  void couponsPastTheirExpiryAreRefusedAndSweptExactlyOnce() {
    OffsetClock clock = new OffsetClock();
    try (ServiceNode node = node(lifecycle("10"), clock)) {
      int port = node.httpPort();
      List<Long> expiring = coupons(port, "PT1H", 61, 62, 63);
      assertEquals(200, api.send(port, "POST", "/api/coupons/reserve", ApiClient.serviceToken(),
          reservation("R-E", 63, expiring.get(2), 50_000)).status());
      Eventually.await(Duration.ofSeconds(10), "the read model holds the coupons",
          () -> database.queryLong("SELECT count(*) FROM coupon_issues WHERE user_id IN (61, 62, 63)") == 3);

      clock.advance(Duration.ofHours(2));
      assertErrorBody(api.send(port, "POST", "/api/coupons/reserve", ApiClient.serviceToken(),
          reservation("R-F", 61, expiring.get(0), 50_000)), 410, "COUPON_EXPIRED");
      Eventually.await(Duration.ofSeconds(20), "the sweeps expired all three coupons",
          () -> expiring.stream().allMatch(id -> "EXPIRED".equals(status(port, id))));
      Eventually.await(Duration.ofSeconds(10), "the read model shows them expired", () -> database.queryLong(
          "SELECT count(*) FROM coupon_issues WHERE user_id IN (61, 62, 63) AND status = 'EXPIRED'") == 3);
      long sweepsBefore = database.queryLong("SELECT count(*) FROM event_journal WHERE persistence_id LIKE 'Coupon|%'");
      Eventually.await(Duration.ofSeconds(10), "more sweeps ran",
          () -> database.queryLong("SELECT count(*) FROM coupon_issues WHERE status = 'ISSUED' AND user_id = 61") == 0);
      assertEquals(1, database.queryLong("SELECT count(*) FROM event_journal WHERE persistence_id = 'Coupon|"
          + expiring.get(1) + "' AND event_ser_manifest LIKE '%Expired'"), "expired exactly once");
      assertEquals(sweepsBefore, database.queryLong("SELECT count(*) FROM event_journal WHERE persistence_id LIKE 'Coupon|%'"));
    }
  }
}
