package couponservice.deadletter;

import static couponservice.testkit.ApiAssertions.assertErrorBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import couponservice.kafka.DeadLetters;
import couponservice.kafka.Topics;
import couponservice.node.ServiceNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.Eventually;
import couponservice.testkit.KafkaProbe;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Listing and replaying dead letters end to end: a real in-process broker, the node's own consumers dead-lettering,
 * PostgreSQL recording the replays.
 */
class DeadLetterApiTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static ServiceNode node;
  private static KafkaProbe kafka;
  private static int port;

  @BeforeAll
  static void start() {
    node = TestNodes.startSingle(database);
    port = node.httpPort();
    kafka = new KafkaProbe(database);
  }

  @AfterAll
  static void stop() {
    kafka.close();
    node.close();
  }

  private static Response admin(String method, String path) {
    return api.send(port, method, path, ApiClient.adminToken(), null);
  }

  private static List<JsonNode> letters(Response page) {
    assertEquals(200, page.status(), () -> page.raw().body());
    return StreamSupport.stream(page.body().path("deadLetters").spliterator(), false).toList();
  }

  private static Map<String, JsonNode> byKey(List<JsonNode> letters) {
    return letters.stream().collect(Collectors.toMap(letter -> letter.path("key").asText(), Function.identity()));
  }

  private static String status(long couponId) {
    return admin("GET", "/api/coupons/" + couponId).body().path("status").asText();
  }

  private static List<ConsumerRecord<byte[], byte[]>> replaysOf(String deadLetterId) {
    return kafka.records(Topics.PAYMENT_COMPLETED).stream()
        .filter(record -> deadLetterId.equals(KafkaProbe.header(record, DeadLetters.REPLAY_OF_HEADER)))
        .toList();
  }

  private static String payment(long couponId, long userId, String reservationId) {
    return ApiClient.json(Map.of("eventId", "evt-" + reservationId, "eventType", "PAYMENT_COMPLETED",
        "timestamp", "2026-01-01T10:05:00Z", "data", Map.of("paymentId", "PAY-" + reservationId,
            "orderId", "O-" + reservationId, "userId", userId, "amount", 47_000, "couponId", couponId,
            "reservationId", reservationId, "completedAt", "2026-01-01T10:05:00")));
  }

  @Test
  void deadLettersAreListedWithTheirOriginAndTheFixedOneIsReplayedOnce() {
    long policyId = api.createPolicy(port, Map.of("distributionType", "DOWNLOAD", "maxIssueCount", 10));
    Response issued = api.issue(port, policyId, 21, null);
    assertEquals(201, issued.status(), () -> issued.raw().body());
    long couponId = issued.longField("couponId");
    String payment = payment(couponId, 21, "R-LATER");
    kafka.produce(Topics.PAYMENT_COMPLETED, "k-poison", "this is not JSON");
    kafka.produce(Topics.PAYMENT_COMPLETED, "k-later", payment);
    Eventually.await(WAIT, "both payments consumed", () -> kafka.committed(Topics.PAYMENT_COMPLETED) == 2);
    Map<String, ConsumerRecord<byte[], byte[]>> originals = kafka.records(Topics.PAYMENT_COMPLETED).stream()
        .collect(Collectors.toMap(record -> new String(record.key(), StandardCharsets.UTF_8), Function.identity()));

    Response page = admin("GET", "/api/dead-letters?topic=payment.completed.v1");
    Map<String, JsonNode> listed = byKey(letters(page));
    assertEquals(originals.keySet(), listed.keySet());
    assertFalse(page.body().path("hasMore").asBoolean());
    assertTrue(page.body().path("nextCursor").isNull());
    for (String key : originals.keySet()) {
      JsonNode letter = listed.get(key);
      assertEquals("payment.completed.v1", letter.path("topic").asText());
      assertEquals(originals.get(key).partition(), letter.path("partition").asInt(), "the original partition");
      assertEquals(originals.get(key).offset(), letter.path("offset").asLong(), "the original offset");
      assertEquals("TEXT", letter.path("keyEncoding").asText());
      assertEquals("TEXT", letter.path("valueEncoding").asText());
      assertTrue(letter.path("deadLetteredAt").asText().endsWith("Z"));
      assertTrue(letter.path("replayedAt").isNull());
      assertFalse(letter.path("id").asText().isEmpty());
    }
    JsonNode poison = listed.get("k-poison");
    assertEquals("this is not JSON", poison.path("value").asText());
    assertTrue(poison.path("error").asText().contains("unreadable"), poison::toString);
    JsonNode later = listed.get("k-later");
    assertEquals(payment, later.path("value").asText());
    assertTrue(later.path("error").asText().startsWith("RESERVATION_NOT_FOUND"), later::toString);

    // The cause is fixed: the reservation the payment names now exists.
    Response reserved = api.send(port, "POST", "/api/coupons/reserve", ApiClient.serviceToken(), Map.of(
        "reservationId", "R-LATER", "userId", 21, "couponId", couponId, "orderAmount", 50_000, "orderId", "O-R-LATER"));
    assertEquals(200, reserved.status(), () -> reserved.raw().body());

    String laterId = later.path("id").asText();
    String replay = "/api/dead-letters/" + laterId + "/replay";
    List<Response> replays = List.of(
            api.sendAsync(ApiClient.request(port, "POST", replay, ApiClient.adminToken(), null).build()),
            api.sendAsync(ApiClient.request(port, "POST", replay, ApiClient.adminToken(), null).build()))
        .stream().map(CompletableFuture::join).toList();
    for (Response replayed : replays) {
      assertEquals(200, replayed.status(), () -> replayed.raw().body());
      assertEquals(laterId, replayed.body().path("id").asText());
      assertEquals("k-later", replayed.body().path("key").asText());
    }
    String replayedAt = replays.get(0).body().path("replayedAt").asText();
    assertTrue(replayedAt.endsWith("Z"), replayedAt);
    assertEquals(replayedAt, replays.get(1).body().path("replayedAt").asText(), "one replay, answered twice");
    Eventually.await(WAIT, "the replayed payment used the coupon", () -> "USED".equals(status(couponId)));

    // Replays are produced in the order they were recorded: once the poison's replay is on the topic, a second
    // production of the first letter would be there too.
    String poisonId = poison.path("id").asText();
    Response poisonReplayed = admin("POST", "/api/dead-letters/" + poisonId + "/replay");
    assertEquals(200, poisonReplayed.status(), () -> poisonReplayed.raw().body());
    Eventually.await(WAIT, "the poison replayed", () -> replaysOf(poisonId).size() == 1);
    List<ConsumerRecord<byte[], byte[]>> produced = replaysOf(laterId);
    assertEquals(1, produced.size(), "two replays of one letter produced it once");
    assertEquals("k-later", new String(produced.get(0).key(), StandardCharsets.UTF_8));
    assertEquals(payment, new String(produced.get(0).value(), StandardCharsets.UTF_8));
    assertEquals(1, database.queryLong("SELECT count(*) FROM event_journal WHERE persistence_id = 'Coupon|" + couponId
        + "' AND event_ser_manifest LIKE '%$Used'"), "the coupon was used once");

    Response again = admin("POST", replay);
    assertEquals(200, again.status());
    assertEquals(replayedAt, again.body().path("replayedAt").asText());
    // The poison, replayed, was dead-lettered again: a new letter beside the two listed before.
    List<JsonNode> relisted = letters(admin("GET", "/api/dead-letters?topic=payment.completed.v1"));
    assertEquals(3, relisted.size());
    JsonNode laterRelisted = relisted.stream().filter(letter -> letter.path("id").asText().equals(laterId))
        .findFirst().orElseThrow();
    assertEquals(replayedAt, laterRelisted.path("replayedAt").asText(), "the listing shows the replay");
    assertEquals(1, replaysOf(laterId).size());
  }

  @Test
  void pagesOfOneWalkEveryDeadLetterOnceInOneOrder() {
    for (int i = 0; i < 3; i++) {
      kafka.produce(Topics.PAYMENT_FAILED, i % 2, "k-" + i, "poison " + i);
    }
    Eventually.await(WAIT, "the three dead-lettered", () -> kafka.committed(Topics.PAYMENT_FAILED) == 3);
    List<String> all = letters(admin("GET", "/api/dead-letters?topic=payment.failed.v1")).stream()
        .map(letter -> letter.path("id").asText()).toList();
    assertEquals(3, all.size());

    List<String> walked = new ArrayList<>();
    List<Boolean> hasMore = new ArrayList<>();
    String cursor = null;
    do {
      Response page = admin("GET", "/api/dead-letters?topic=payment.failed.v1&limit=1"
          + (cursor == null ? "" : "&cursor=" + cursor));
      letters(page).forEach(letter -> walked.add(letter.path("id").asText()));
      hasMore.add(page.body().path("hasMore").asBoolean());
      cursor = page.body().path("nextCursor").isNull() ? null : page.body().path("nextCursor").asText();
    } while (cursor != null);
    assertEquals(all, walked, "the same letters in the same order, none twice");
    assertEquals(List.of(true, true, false), hasMore);
  }

  @Test
  void refusedRequestsRecordNoReplay() {
    String unknown = new DeadLetterId(Topics.PAYMENT_COMPLETED, 0, 999_999, 1).encoded();
    long replaysBefore = replaysRecorded();
    assertErrorBody(api.send(port, "GET", "/api/dead-letters?topic=payment.completed.v1", ApiClient.userToken(5),
        null), 403, "FORBIDDEN");
    assertErrorBody(api.send(port, "POST", "/api/dead-letters/" + unknown + "/replay", ApiClient.userToken(5), null),
        403, "FORBIDDEN");
    Response badTopic = admin("GET", "/api/dead-letters?topic=coupon.issued");
    assertErrorBody(badTopic, 400, "VALIDATION_FAILED");
    assertTrue(badTopic.body().path("message").asText().contains("topic"));
    assertErrorBody(admin("GET", "/api/dead-letters"), 400, "VALIDATION_FAILED");
    assertErrorBody(admin("GET", "/api/dead-letters?topic=payment.completed.v1&limit=101"), 400, "VALIDATION_FAILED");
    assertErrorBody(admin("GET", "/api/dead-letters?topic=payment.completed.v1&cursor=%21%21"), 400,
        "VALIDATION_FAILED");
    assertErrorBody(admin("POST", "/api/dead-letters/" + unknown + "/replay"), 404, "DEAD_LETTER_NOT_FOUND");
    assertErrorBody(admin("POST", "/api/dead-letters/not-an-id/replay"), 404, "DEAD_LETTER_NOT_FOUND");
    assertEquals(replaysBefore, replaysRecorded());
  }

  private static long replaysRecorded() {
    return database.queryLong("SELECT count(*) FROM event_journal WHERE persistence_id LIKE 'DeadLetterReplay|%'");
  }

  @Test
  void aReplayAnswersTheLetterItReplayed() {
    Response empty = admin("GET", "/api/dead-letters?topic=coupon.trigger.v1");
    assertTrue(letters(empty).isEmpty(), "no trigger was dead-lettered yet");
    assertFalse(empty.body().path("hasMore").asBoolean());
    assertTrue(empty.body().path("nextCursor").isNull());

    kafka.produce(Topics.COUPON_TRIGGER, "k-trigger", "{\"eventId\":\"t-1\"}");
    Eventually.await(WAIT, "the trigger dead-lettered", () -> kafka.committed(Topics.COUPON_TRIGGER) == 1);
    JsonNode letter = letters(admin("GET", "/api/dead-letters?topic=coupon.trigger.v1")).get(0);
    Response replayed = admin("POST", "/api/dead-letters/" + letter.path("id").asText() + "/replay");
    assertEquals(200, replayed.status(), () -> replayed.raw().body());
    for (String field : List.of("id", "topic", "partition", "offset", "key", "value", "error", "deadLetteredAt")) {
      assertEquals(letter.path(field), replayed.body().path(field), field);
    }
    assertNotNull(replayed.body().path("replayedAt").asText(null));
  }
}
