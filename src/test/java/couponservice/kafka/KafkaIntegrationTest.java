package couponservice.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import couponservice.node.ServiceNode;
import couponservice.metrics.CouponMetrics;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.Eventually;
import couponservice.testkit.KafkaProbe;
import couponservice.testkit.OffsetClock;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Payment events in, coupon events out, triggers and dead letters, against a real broker and PostgreSQL. */
class KafkaIntegrationTest {
  @RegisterExtension
  static final ApiClient api = new ApiClient();
  private static final Duration WAIT = Duration.ofSeconds(30);

  private TestDatabase database;
  private KafkaProbe kafka;

  @BeforeEach
  void createDatabase() {
    database = TestDatabase.create();
    kafka = new KafkaProbe(database);
  }

  @AfterEach
  void dropDatabase() {
    kafka.close();
    database.close();
  }

  private ServiceNode node(Config extra) {
    return TestNodes.start(TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(), extra));
  }

  private static long downloadPolicy(int port) {
    Map<String, Object> terms = new HashMap<>();
    terms.put("distributionType", "DOWNLOAD");
    terms.put("maxIssueCount", null);
    terms.put("couponCode", "K" + System.nanoTime() % 1_000_000);
    return api.createPolicy(port, terms);
  }

  private static long issue(int port, long policyId, long userId) {
    Response issued = api.send(port, "POST", "/api/coupon-policies/" + policyId + "/issue", ApiClient.adminToken(),
        Map.of("userId", userId));
    assertEquals(201, issued.status(), issued.body()::toString);
    return issued.longField("couponId");
  }

  private static void reserve(int port, long couponId, long userId, String reservationId) {
    Response reserved = api.send(port, "POST", "/api/coupons/reserve", ApiClient.serviceToken(), Map.of(
        "reservationId", reservationId, "userId", userId, "couponId", couponId, "orderAmount", 50_000,
        "orderId", "O-" + reservationId));
    assertEquals(200, reserved.status(), reserved.body()::toString);
  }

  private static String status(int port, long couponId) {
    return api.send(port, "GET", "/api/coupons/" + couponId, ApiClient.adminToken(), null).body().path("status").asText();
  }

  private static String payment(String eventType, long couponId, long userId, String reservationId) {
    return ApiClient.json(Map.of("eventId", "evt-" + reservationId, "eventType", eventType,
        "timestamp", "2026-01-01T10:05:00Z", "data", Map.of("paymentId", "PAY-" + reservationId,
            "orderId", "O-" + reservationId, "userId", userId, "amount", 47_000, "couponId", couponId,
            "reservationId", reservationId, "completedAt", "2026-01-01T10:05:00")));
  }

  private long journalEvents(long couponId, String eventClass) {
    return database.queryLong("SELECT count(*) FROM event_journal WHERE persistence_id = 'Coupon|" + couponId
        + "' AND event_ser_manifest LIKE '%$" + eventClass + "'");
  }

  private List<JsonNode> published(String topic, long couponId) {
    return kafka.values(topic).stream().filter(v -> v.path("data").path("couponId").asLong() == couponId).toList();
  }

  @Test
  void aCompletedPaymentUsesTheCouponOnceAndIsPublishedAsCouponUsed() {
    try (ServiceNode node = node(ConfigFactory.empty())) {
      int port = node.httpPort();
      long coupon = issue(port, downloadPolicy(port), 5);
      reserve(port, coupon, 5, "R-PAY");
      String message = payment("PAYMENT_COMPLETED", coupon, 5, "R-PAY");
      kafka.produce(Topics.PAYMENT_COMPLETED, "ignored-key", message);
      Eventually.await(WAIT, "coupon used", () -> "USED".equals(status(port, coupon)));

      kafka.produce(Topics.PAYMENT_COMPLETED, null, message);
      Eventually.await(WAIT, "both messages committed", () -> kafka.committed(Topics.PAYMENT_COMPLETED) == 2);
      assertEquals(1, journalEvents(coupon, "Used"), "the redelivered payment changed nothing");
      assertTrue(kafka.records(Topics.PAYMENT_COMPLETED + Topics.DLQ_SUFFIX).isEmpty());

      Eventually.await(WAIT, "coupon.used published", () -> published(Topics.COUPON_USED, coupon).size() == 1);
      JsonNode used = published(Topics.COUPON_USED, coupon).get(0);
      assertEquals("COUPON_USED", used.path("eventType").asText());
      assertEquals("Coupon|" + coupon + "#3", used.path("eventId").asText());
      assertEquals("USED", used.path("data").path("status").asText());
      assertEquals("R-PAY", used.path("data").path("reservationId").asText());
      assertEquals("O-R-PAY", used.path("data").path("orderId").asText());
      assertEquals(5, used.path("data").path("userId").asLong());
      assertEquals(1000, used.path("data").path("discountAmount").asInt());
      assertTrue(used.path("timestamp").asText().endsWith("Z"));
      assertEquals("coupon-service", used.path("metadata").path("source").asText());
      assertEquals("1.0", used.path("metadata").path("version").asText());
      ConsumerRecord<byte[], byte[]> record = kafka.records(Topics.COUPON_USED).stream()
          .filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals(Long.toString(coupon))).findFirst().orElseThrow();
      assertEquals(Long.toString(coupon), new String(record.key(), StandardCharsets.UTF_8), "keyed by coupon id");
    }
  }

  @Test
  void everyPartitionIsConsumedWhenTheTopicsHaveMorePartitionsThanConfigured() {
    int partitions = 3;
    kafka.createTopic(Topics.PAYMENT_COMPLETED, partitions);
    kafka.createTopic(Topics.PAYMENT_FAILED, partitions);
    try (ServiceNode node = node(ConfigFactory.parseString("coupon.kafka.partitions = 1"))) {
      int port = node.httpPort();
      long policy = downloadPolicy(port);
      List<Long> coupons = new ArrayList<>();
      for (int partition = 0; partition < partitions; partition++) {
        long user = 40 + partition;
        long coupon = issue(port, policy, user);
        reserve(port, coupon, user, "R-P" + partition);
        kafka.produce(Topics.PAYMENT_COMPLETED, partition, null, payment("PAYMENT_COMPLETED", coupon, user, "R-P" + partition));
        coupons.add(coupon);
      }
      Eventually.await(WAIT, "the payment in every partition applied",
          () -> coupons.stream().allMatch(coupon -> "USED".equals(status(port, coupon))));
    }
  }

  @Test
  void aFailedPaymentReleasesTheCouponAndIsPublishedAsCouponCancelled() {
    try (ServiceNode node = node(ConfigFactory.empty())) {
      int port = node.httpPort();
      long coupon = issue(port, downloadPolicy(port), 6);
      reserve(port, coupon, 6, "R-FAIL");
      Eventually.await(WAIT, "coupon.reserved published", () -> published(Topics.COUPON_RESERVED, coupon).size() == 1);
      kafka.produce(Topics.PAYMENT_FAILED, null, payment("PAYMENT_FAILED", coupon, 6, "R-FAIL"));
      Eventually.await(WAIT, "coupon released", () -> "ISSUED".equals(status(port, coupon)));
      Eventually.await(WAIT, "coupon.cancelled published", () -> published(Topics.COUPON_CANCELLED, coupon).size() == 1);
      JsonNode cancelled = published(Topics.COUPON_CANCELLED, coupon).get(0);
      assertEquals("PAYMENT_FAILED", cancelled.path("data").path("reason").asText());
      assertEquals("ISSUED", cancelled.path("data").path("status").asText());
      assertEquals("R-FAIL", cancelled.path("data").path("reservationId").asText());
    }
  }

  @Test
  void cancellationsAndTimeoutsArePublishedWithTheReasonOfTheStateTheyEndedWhoeverCalled() {
    try (ServiceNode node = node(ConfigFactory.parseString("coupon.lifecycle.reservation-timeout = 3s"))) {
      int port = node.httpPort();
      long policy = downloadPolicy(port);
      long reservedThenCancelled = issue(port, policy, 31);
      reserve(port, reservedThenCancelled, 31, "R-ORDER");
      assertEquals(200, api.send(port, "POST", "/api/coupons/" + reservedThenCancelled + "/cancel", ApiClient.adminToken(),
          Map.of("reason", "order cancelled by support")).status());
      long cancelled = issue(port, policy, 32);
      assertEquals(200, api.send(port, "POST", "/api/coupons/" + cancelled + "/cancel", ApiClient.serviceToken(),
          Map.of("reason", "refund")).status());
      long timedOut = issue(port, policy, 33);
      reserve(port, timedOut, 33, "R-TIMEOUT");
      Eventually.await(WAIT, "the reservation timed out", () -> "ISSUED".equals(status(port, timedOut)));

      Map<Long, List<String>> expected = Map.of(
          reservedThenCancelled, Arrays.asList("ORDER_CANCELLED", "CANCELLED", "R-ORDER", "O-R-ORDER"),
          cancelled, Arrays.asList("ADMIN_CANCELLED", "CANCELLED", null, null),
          timedOut, Arrays.asList("RESERVATION_TIMEOUT", "ISSUED", "R-TIMEOUT", "O-R-TIMEOUT"));
      expected.forEach((coupon, reasonStatusReservationOrder) -> {
        Eventually.await(WAIT, "coupon.cancelled of " + coupon, () -> published(Topics.COUPON_CANCELLED, coupon).size() == 1);
        JsonNode data = published(Topics.COUPON_CANCELLED, coupon).get(0).path("data");
        List<String> actual = Arrays.asList(data.path("reason").asText(), data.path("status").asText(),
            data.path("reservationId").textValue(), data.path("orderId").textValue());
        assertEquals(reasonStatusReservationOrder, actual, data::toString);
      });
    }
  }

  @Test
  void poisonGoesToTheDeadLetterTopicAndTheNextMessageIsStillApplied() {
    try (ServiceNode node = node(ConfigFactory.parseString("coupon.lifecycle.reservation-timeout = 3s"))) {
      int port = node.httpPort();
      long policy = downloadPolicy(port);
      long good = issue(port, policy, 7);
      long late = issue(port, policy, 8);
      reserve(port, late, 8, "R-LATE");
      Eventually.await(WAIT, "the late reservation timed out", () -> "ISSUED".equals(status(port, late)));
      reserve(port, good, 7, "R-GOOD");

      kafka.produce(Topics.PAYMENT_COMPLETED, "k1", "this is not JSON");
      kafka.produce(Topics.PAYMENT_COMPLETED, "k2", payment("PAYMENT_COMPLETED", good, 7, "R-UNKNOWN"));
      kafka.produce(Topics.PAYMENT_COMPLETED, "k3", payment("PAYMENT_COMPLETED", late, 8, "R-LATE"));
      kafka.produce(Topics.PAYMENT_COMPLETED, "k4", payment("PAYMENT_COMPLETED", good, 7, "R-GOOD"));
      Eventually.await(WAIT, "the valid message applied", () -> "USED".equals(status(port, good)));
      Eventually.await(WAIT, "all four committed", () -> kafka.committed(Topics.PAYMENT_COMPLETED) == 4);

      // At least once: a record dead-lettered but not yet committed when the group rebalances (the triggers'
      // consumer joining) is read and dead-lettered again.
      Map<String, ConsumerRecord<byte[], byte[]>> dead = kafka.records(Topics.PAYMENT_COMPLETED + Topics.DLQ_SUFFIX)
          .stream().collect(Collectors.toMap(r -> new String(r.key(), StandardCharsets.UTF_8), r -> r, (a, b) -> a));
      assertEquals(Set.of("k1", "k2", "k3"), dead.keySet());
      ConsumerRecord<byte[], byte[]> poison = dead.get("k1");
      assertEquals("this is not JSON", new String(poison.value(), StandardCharsets.UTF_8), "the original value");
      assertTrue(KafkaProbe.header(poison, "dlq-error").contains("unreadable"));
      assertEquals(database.topicPrefix() + Topics.PAYMENT_COMPLETED, KafkaProbe.header(poison, "dlq-original-topic"));
      assertTrue(KafkaProbe.header(poison, "dlq-original-partition").matches("\\d+"));
      assertTrue(KafkaProbe.header(poison, "dlq-original-offset").matches("\\d+"));
      assertTrue(KafkaProbe.header(dead.get("k2"), "dlq-error").startsWith("RESERVATION_NOT_FOUND"));
      assertTrue(KafkaProbe.header(dead.get("k3"), "dlq-error").startsWith("RESERVATION_EXPIRED"),
          "a payment for a reservation that timed out is not applied");
      assertEquals("ISSUED", status(port, late));
    }
  }

  @Test
  void aConsumerWhoseDeadLetterCannotBeSentStartsAgainFromTheCommittedOffsets() {
    // One message of a partition at a time: the payment waits in the partition's source while the poison's
    // dead letter fails, the position from which a failed partition's stream would be emitted again.
    Config config = ConfigFactory.parseString("""
        pekko.kafka.producer.kafka-clients.max.block.ms = 1000
        coupon.kafka { parallelism-per-partition = 1, restart-min-backoff = 200ms, restart-max-backoff = 1s }""");
    try (ServiceNode node = node(config)) {
      int port = node.httpPort();
      long coupon = issue(port, downloadPolicy(port), 13);
      reserve(port, coupon, 13, "R-AFTER");
      String deadLetterTopic = Topics.PAYMENT_COMPLETED + Topics.DLQ_SUFFIX;
      kafka.deleteTopic(deadLetterTopic);
      double restartsBefore = consumerRestarts();

      kafka.produce(Topics.PAYMENT_COMPLETED, 0, "poison", "this is not JSON");
      kafka.produce(Topics.PAYMENT_COMPLETED, 0, null, payment("PAYMENT_COMPLETED", coupon, 13, "R-AFTER"));
      Eventually.await(WAIT, "the consumer started again after the poison's dead letter could not be sent",
          () -> consumerRestarts() > restartsBefore);
      kafka.createTopic(deadLetterTopic, 1);

      Eventually.await(WAIT, "the payment after the poison applied", () -> "USED".equals(status(port, coupon)));
      Eventually.await(WAIT, "both committed", () -> kafka.committed(Topics.PAYMENT_COMPLETED) == 2);
      List<ConsumerRecord<byte[], byte[]>> dead = kafka.records(deadLetterTopic);
      assertTrue(!dead.isEmpty() && dead.stream().allMatch(r -> "poison".equals(new String(r.key(), StandardCharsets.UTF_8))),
          "the poison was not committed before it was in the dead-letter topic");
    }
  }

  private static double consumerRestarts() {
    return CouponMetrics.KAFKA_CONSUMER_RESTARTS.labelValues("payments").get();
  }

  @Test
  void aPaymentAppliedButNotCommittedBeforeACrashIsAppliedOnceAfterTheRestart() {
    long coupon;
    Config crashing = ConfigFactory.parseString("""
        pekko.kafka.committer { max-interval = 1h, max-batch = 100000 }
        pekko.coordinated-shutdown.run-by-actor-system-terminate = off""");
    Config config = TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(), crashing);
    try (ServiceNode node = TestNodes.start(config)) {
      int port = node.httpPort();
      coupon = issue(port, downloadPolicy(port), 9);
      reserve(port, coupon, 9, "R-CRASH");
      kafka.produce(Topics.PAYMENT_COMPLETED, null, payment("PAYMENT_COMPLETED", coupon, 9, "R-CRASH"));
      Eventually.await(WAIT, "applied", () -> "USED".equals(status(port, coupon)));
      assertEquals(0, kafka.committed(Topics.PAYMENT_COMPLETED), "not committed before the crash");
    }
    try (ServiceNode restarted = node(ConfigFactory.empty())) {
      Eventually.await(WAIT, "redelivered and committed", () -> kafka.committed(Topics.PAYMENT_COMPLETED) == 1);
      assertEquals("USED", status(restarted.httpPort(), coupon));
      assertEquals(1, journalEvents(coupon, "Used"), "applied once");
      assertTrue(kafka.records(Topics.PAYMENT_COMPLETED + Topics.DLQ_SUFFIX).isEmpty());
    }
  }

  @Test
  void eventsWrittenWhileNothingWasPublishedArePublishedAfterTheRestart() {
    long policy;
    long coupon;
    try (ServiceNode node = node(ConfigFactory.parseString("coupon.kafka.publish = off"))) {
      int port = node.httpPort();
      policy = downloadPolicy(port);
      coupon = issue(port, policy, 11);
      issue(port, policy, 12);
      reserve(port, coupon, 11, "R-LATER");
      assertEquals(200, api.send(port, "POST", "/api/coupons/reservations/R-LATER/confirm", ApiClient.serviceToken(),
          Map.of("orderId", "O-R-LATER", "paymentId", "P")).status());
    }
    assertTrue(kafka.values(Topics.COUPON_ISSUED).isEmpty(), "nothing was published before the restart");
    try (ServiceNode restarted = node(ConfigFactory.empty())) {
      Eventually.await(WAIT, "every event published", () -> kafka.values(Topics.COUPON_ISSUED).size() >= 2
          && !published(Topics.COUPON_RESERVED, coupon).isEmpty() && !published(Topics.COUPON_USED, coupon).isEmpty());
      Set<String> issuedIds = kafka.values(Topics.COUPON_ISSUED).stream().map(v -> v.path("eventId").asText())
          .collect(Collectors.toSet());
      assertEquals(Set.of("CouponPolicy|" + policy + "#2#0", "CouponPolicy|" + policy + "#3#0"), issuedIds);
      assertEquals(Set.of("Coupon|" + coupon + "#2"), published(Topics.COUPON_RESERVED, coupon).stream()
          .map(v -> v.path("eventId").asText()).collect(Collectors.toSet()));
      assertEquals(Set.of("Coupon|" + coupon + "#3"), published(Topics.COUPON_USED, coupon).stream()
          .map(v -> v.path("eventId").asText()).collect(Collectors.toSet()));
      JsonNode issued = kafka.values(Topics.COUPON_ISSUED).get(0);
      assertEquals("COUPON_ISSUED", issued.path("eventType").asText());
      assertEquals("ISSUED", issued.path("data").path("status").asText());
      assertTrue(issued.path("data").path("couponCode").asText().startsWith("K"));
      assertTrue(issued.path("data").path("expiryDate").asText().endsWith("Z"));
    }
  }

  @Test
  void aTriggerIssuesEveryMatchingEventPolicyOncePerEventId() {
    try (ServiceNode node = node(ConfigFactory.empty())) {
      int port = node.httpPort();
      Map<String, Object> signup = new HashMap<>(Map.of("distributionType", "EVENT", "triggerEventType", "USER_SIGNUP",
          "maxIssuePerUser", 5));
      signup.put("maxIssueCount", null);
      long first = api.createPolicy(port, signup);
      long second = api.createPolicy(port, signup);
      Map<String, Object> other = new HashMap<>(Map.of("distributionType", "EVENT", "triggerEventType", "FIRST_ORDER"));
      other.put("maxIssueCount", null);
      long unrelated = api.createPolicy(port, other);

      String trigger = ApiClient.json(Map.of("eventId", "E-1", "eventType", "USER_SIGNUP", "userId", 77,
          "occurredAt", "2026-01-01T00:00:00Z"));
      kafka.produce(Topics.COUPON_TRIGGER, null, trigger);
      kafka.produce(Topics.COUPON_TRIGGER, null, trigger);
      kafka.produce(Topics.COUPON_TRIGGER, null, ApiClient.json(Map.of("eventId", "E-2", "eventType", "USER_SIGNUP",
          "userId", 78, "occurredAt", "2026-01-01T00:00:00Z")));
      kafka.produce(Topics.COUPON_TRIGGER, null, "{\"eventId\":\"E-3\",\"eventType\":\"USER_SIGNUP\"}");
      Eventually.await(WAIT, "all four committed", () -> kafka.committed(Topics.COUPON_TRIGGER) == 4);

      for (long policy : List.of(first, second)) {
        assertEquals(2, api.send(port, "GET", "/api/coupon-policies/" + policy, ApiClient.adminToken(), null)
            .longField("currentIssueCount"), "users 77 and 78 once each, whatever the redelivery");
      }
      assertEquals(0, api.send(port, "GET", "/api/coupon-policies/" + unrelated, ApiClient.adminToken(), null)
          .longField("currentIssueCount"));
      List<ConsumerRecord<byte[], byte[]>> dead = kafka.records(Topics.COUPON_TRIGGER + Topics.DLQ_SUFFIX);
      assertEquals(1, dead.size());
      assertTrue(KafkaProbe.header(dead.get(0), "dlq-error").contains("userId"));

      Eventually.await(WAIT, "the triggered coupons published", () -> kafka.values(Topics.COUPON_ISSUED).stream()
          .filter(v -> v.path("data").path("policyId").asLong() == first).count() == 2);
      JsonNode data = kafka.values(Topics.COUPON_ISSUED).stream()
          .filter(v -> v.path("data").path("policyId").asLong() == first).findFirst().orElseThrow().path("data");
      assertTrue(data.has("couponCode") && data.path("couponCode").isNull(), "a policy without a code: " + data);
    }
  }

  @Test
  void theFiveCouponTopicsCarryOneEnvelopeWithOneDataFieldSet() {
    OffsetClock clock = new OffsetClock();
    Config sweepOften = ConfigFactory.parseMap(Map.of("coupon.lifecycle.expiry-sweep-interval", "300ms"));
    try (ServiceNode node = TestNodes.start(TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(), sweepOften),
        clock)) {
      int port = node.httpPort();
      long policy = downloadPolicy(port);
      long used = issue(port, policy, 21);
      reserve(port, used, 21, "R-SHAPE-1");
      assertEquals(200, api.send(port, "POST", "/api/coupons/reservations/R-SHAPE-1/confirm", ApiClient.serviceToken(),
          Map.of()).status());
      long released = issue(port, policy, 22);
      reserve(port, released, 22, "R-SHAPE-2");
      assertEquals(204, api.send(port, "DELETE", "/api/coupons/apply/R-SHAPE-2", ApiClient.serviceToken(), null)
          .status());
      long expired = issue(port, policy, 23);
      clock.advance(Duration.ofDays(31));
      Map<String, JsonNode> oneOfEach = new java.util.LinkedHashMap<>();
      for (var topicAndCoupon : List.of(Map.entry(Topics.COUPON_ISSUED, used), Map.entry(Topics.COUPON_RESERVED, used),
          Map.entry(Topics.COUPON_USED, used), Map.entry(Topics.COUPON_CANCELLED, released),
          Map.entry(Topics.COUPON_EXPIRED, expired))) {
        Eventually.await(WAIT, topicAndCoupon.getKey() + " published",
            () -> !published(topicAndCoupon.getKey(), topicAndCoupon.getValue()).isEmpty());
        oneOfEach.put(topicAndCoupon.getKey(), published(topicAndCoupon.getKey(), topicAndCoupon.getValue()).get(0));
      }
      Set<String> envelope = fieldNames(oneOfEach.get(Topics.COUPON_ISSUED));
      Set<String> data = fieldNames(oneOfEach.get(Topics.COUPON_ISSUED).path("data"));
      assertTrue(data.containsAll(Set.of("couponId", "policyId", "userId", "couponCode", "couponName", "discountType",
          "discountValue", "status", "expiryDate", "reservationId", "orderId", "discountAmount")), data::toString);
      oneOfEach.forEach((topic, event) -> {
        assertEquals(envelope, fieldNames(event), topic + "'s envelope");
        assertEquals(data, fieldNames(event.path("data")), topic + "'s data");
        assertEquals(Set.of("correlationId", "source", "version"), fieldNames(event.path("metadata")), topic);
        assertTrue(event.path("data").path("couponCode").asText().startsWith("K"), topic + " names the coupon code");
      });
      assertEquals("RELEASED", oneOfEach.get(Topics.COUPON_CANCELLED).path("data").path("reason").asText());
      assertEquals("EXPIRED", oneOfEach.get(Topics.COUPON_EXPIRED).path("data").path("status").asText());
    }
  }

  private static Set<String> fieldNames(JsonNode object) {
    Set<String> names = new java.util.TreeSet<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
