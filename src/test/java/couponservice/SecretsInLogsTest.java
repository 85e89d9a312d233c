package couponservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import couponservice.kafka.SaslKafka;
import couponservice.ratelimit.RedisServerProcess;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ServiceProcess;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node started as in production, {@code java couponservice.node.Main} with its settings in environment variables, on a
 * Kafka, Redis and PostgreSQL that want passwords, with the loggers that print configuration turned up: neither its
 * output while it serves and stops, nor the one line of a refused start, shows a password.
 */
class SecretsInLogsTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();

  private static final String KAFKA_USER = "coupon-service";
  private static final String KAFKA_PASSWORD = "kafka-SECRET-5be1d0";
  private static final String REDIS_PASSWORD = "redis-SECRET-0c94a2";
  private static final String DATABASE_PASSWORD = "database-SECRET-77f3e9";
  private static final List<String> SECRETS =
      List.of(KAFKA_PASSWORD, REDIS_PASSWORD, DATABASE_PASSWORD, TestNodes.JWT_SECRET);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private static SaslKafka kafka;
  private static RedisServerProcess redis;

  @BeforeAll
  static void startKafkaAndRedisWithPasswords() throws Exception {
    kafka = SaslKafka.start();
    kafka.createUser(KAFKA_USER, KAFKA_PASSWORD);
    kafka.awaitLogin(KAFKA_USER, KAFKA_PASSWORD);
    redis = new RedisServerProcess("--requirepass", REDIS_PASSWORD);
    redis.start();
  }

  @AfterAll
  static void stopKafkaAndRedis() throws Exception {
    redis.close();
    kafka.close();
  }

  /** What a deployment sets; the local test PostgreSQL trusts its clients, so its password is given but unused. */
  private static Map<String, String> environment() {
    Config db = database.config(kafka.saslBootstrapServers());
    Map<String, String> environment = new HashMap<>();
    environment.put("COUPON_PROFILE", "prod");
    environment.put("COUPON_REMOTE_HOST", "127.0.0.1");
    environment.put("DATABASE_HOST", db.getString("coupon.database.host"));
    environment.put("DATABASE_PORT", db.getString("coupon.database.port"));
    environment.put("DATABASE_NAME", db.getString("coupon.database.name"));
    environment.put("DATABASE_USER", db.getString("coupon.database.user"));
    environment.put("DATABASE_PASSWORD", DATABASE_PASSWORD);
    environment.put("KAFKA_BOOTSTRAP_SERVERS", kafka.saslBootstrapServers());
    environment.put("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT");
    environment.put("KAFKA_SASL_MECHANISM", SaslKafka.MECHANISM);
    environment.put("KAFKA_SASL_USERNAME", KAFKA_USER);
    environment.put("KAFKA_SASL_PASSWORD", KAFKA_PASSWORD);
    environment.put("KAFKA_TOPIC_PARTITIONS", "2");
    environment.put("REDIS_HOST", "127.0.0.1");
    environment.put("REDIS_PORT", Integer.toString(redis.port()));
    environment.put("REDIS_PASSWORD", REDIS_PASSWORD);
    return environment;
  }

  @Test
  void aNodeThatServedAndStoppedPrintedNoSecret() {
    ServiceProcess node = start("secrets-served", environment());
    try {
      node.awaitLog("listening on http://", START_TIMEOUT);
      int httpPort = node.httpPort();
      long policyId = api.createPolicy(httpPort, Map.of("distributionType", "DOWNLOAD", "maxIssuePerUser", 1));
      assertEquals(201, api.send(httpPort, "POST", "/api/coupon-policies/" + policyId + "/issue",
          ApiClient.userToken(5), Map.of("userId", 5)).status(), "issued past the rate limiter (Redis)");
    } finally {
      // SIGTERM, as a container runtime stops it: the node leaves gracefully and its shutdown is logged too.
      node.terminate();
      node.awaitExit(Duration.ofSeconds(60));
    }
    String printed = node.logText();
    assertTrue(printed.contains("sasl.jaas.config = [hidden]"), "the Kafka clients printed their configuration");
    assertTrue(printed.contains("read-model - configuration:"), "the read model's pool printed its configuration");
    assertNoSecret(printed, SECRETS);
  }

  @Test
  void aRefusedStartNamesTheComponentInOneLineAndNoPassword() {
    String wrongKafka = "wrong-" + KAFKA_PASSWORD;
    Map<String, String> kafkaRefuses = environment();
    kafkaRefuses.put("KAFKA_SASL_PASSWORD", wrongKafka);
    try (ServiceProcess node = start("secrets-kafka-refused", kafkaRefuses)) {
      String line = node.refusal(START_TIMEOUT);
      assertTrue(line.startsWith("coupon-service cannot start: cannot reach Kafka at " + kafka.saslBootstrapServers()
          + ": Authentication failed"), line);
      assertNoSecret(node.logText(), List.of(wrongKafka, REDIS_PASSWORD, DATABASE_PASSWORD, TestNodes.JWT_SECRET));
    }

    String wrongRedis = "wrong-" + REDIS_PASSWORD;
    Map<String, String> redisRefuses = environment();
    redisRefuses.put("REDIS_PASSWORD", wrongRedis);
    try (ServiceProcess node = start("secrets-redis-refused", redisRefuses)) {
      String line = node.refusal(START_TIMEOUT);
      assertTrue(line.startsWith("coupon-service cannot start: Redis at 127.0.0.1:" + redis.port() + " refused"), line);
      assertTrue(line.contains("WRONGPASS"), line);
      assertNoSecret(node.logText(), List.of(KAFKA_PASSWORD, wrongRedis, DATABASE_PASSWORD, TestNodes.JWT_SECRET));
    }
  }

  /** A prod node with only the environment a deployment sets, the loggers that print configuration turned up. */
  private static ServiceProcess start(String name, Map<String, String> environment) {
    // Not an environment variable of the service: kept apart from other tests' topics.
    Config topics = ConfigFactory.parseMap(Map.of("coupon.kafka.topic-prefix", database.topicPrefix()));
    return ServiceProcess.start(name, environment, topics, "logback-secrets-test.xml");
  }

  private static void assertNoSecret(String printed, List<String> secrets) {
    for (String secret : secrets) {
      int at = printed.indexOf(secret);
      assertFalse(at >= 0, () -> "a secret was printed: "
          + printed.substring(Math.max(0, at - 300), Math.min(printed.length(), at + 100)));
    }
  }
}
