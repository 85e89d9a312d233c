package couponservice.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import couponservice.node.ServiceConfig;
import couponservice.node.ServiceNode;
import couponservice.StartupException;
import couponservice.testkit.ApiClient;
import couponservice.testkit.Eventually;
import couponservice.testkit.KafkaProbe;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A prod node on a broker that wants SASL/SCRAM logins: with its password it consumes and publishes, with a wrong
 * one it does not start.
 */
class KafkaSaslTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static final String SERVICE_USER = "coupon-service";
  /** Quotes, a backslash and JAAS punctuation: the login line the service builds must escape them. */
  private static final String SERVICE_PASSWORD = "s3rvice \"pa55\" \\ word; x=y";
  private static final String PROBE_USER = "test-probe";
  private static final String PROBE_PASSWORD = "probe-pa55word";

  private static SaslKafka broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = SaslKafka.start();
    broker.createUser(SERVICE_USER, SERVICE_PASSWORD);
    broker.createUser(PROBE_USER, PROBE_PASSWORD);
    broker.awaitLogin(PROBE_USER, PROBE_PASSWORD);
  }

  @AfterAll
  static void stopBroker() throws Exception {
    broker.close();
  }

  private static Config nodeConfig(String password) {
    Config security = ConfigFactory.parseMap(Map.of(
        "coupon.kafka.security.protocol", "SASL_PLAINTEXT",
        "coupon.kafka.security.sasl-mechanism", SaslKafka.MECHANISM,
        "coupon.kafka.security.sasl-username", SERVICE_USER,
        "coupon.kafka.security.sasl-password", password));
    return TestNodes.nodeConfig(database.config(broker.saslBootstrapServers()), TestNodes.freePort(), List.of(),
        security);
  }

  @Test
  void withItsPasswordANodeConsumesTriggersAndPublishesTheCouponsItIssues() {
    try (ServiceNode node = TestNodes.start(nodeConfig(SERVICE_PASSWORD));
        KafkaProbe kafka = new KafkaProbe(database.topicPrefix(), broker.clientProperties(PROBE_USER, PROBE_PASSWORD))) {
      int port = node.httpPort();
      Map<String, Object> signup = new HashMap<>(Map.of("distributionType", "EVENT", "triggerEventType", "USER_SIGNUP"));
      signup.put("maxIssueCount", null);
      long policy = api.createPolicy(port, signup);

      kafka.produce(Topics.COUPON_TRIGGER, null, ApiClient.json(Map.of("eventId", "E-SASL", "eventType", "USER_SIGNUP",
          "userId", 501, "occurredAt", "2026-01-01T00:00:00Z")));
      Eventually.await(WAIT, "the trigger consumed and its coupon issued", () -> api.send(port, "GET",
          "/api/coupon-policies/" + policy, ApiClient.adminToken(), null).longField("currentIssueCount") == 1);
      Eventually.await(WAIT, "coupon.issued published", () -> kafka.values(Topics.COUPON_ISSUED).size() == 1);
      JsonNode issued = kafka.values(Topics.COUPON_ISSUED).get(0);
      assertEquals(501, issued.path("data").path("userId").asLong());
      assertEquals(policy, issued.path("data").path("policyId").asLong());
      Eventually.await(WAIT, "the trigger's offset committed", () -> kafka.committed(Topics.COUPON_TRIGGER) == 1);

      ConfigEntry minInSync = kafka.topicConfig(Topics.COUPON_ISSUED, "min.insync.replicas");
      assertEquals("1", minInSync.value(), "min(2, replication factor 1)");
      assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, minInSync.source(), "set on the topic at creation");
    }
  }

  @Test
  void aWrongPasswordStopsStartupAtOnceWithOneLineNamingKafka() {
    String wrong = "not-" + SERVICE_PASSWORD;
    Config config = ServiceConfig.load("prod", nodeConfig(wrong), Map.of());
    long started = System.nanoTime();
    StartupException refused = assertThrows(StartupException.class, () -> ServiceNode.start(config, Clock.systemUTC()));
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertTrue(took.compareTo(Duration.ofSeconds(15)) < 0, "failed fast, not after the admin timeout: " + took);
    String line = refused.getMessage();
    assertTrue(line.startsWith("cannot reach Kafka at " + broker.saslBootstrapServers() + ": "), line);
    assertTrue(line.contains("Authentication failed"), line);
    assertFalse(line.contains("\n"), "one line: " + line);
    assertFalse(line.contains(wrong), "the password is not echoed: " + line);
  }
}
