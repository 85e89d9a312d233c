package couponservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import couponservice.node.Main;
import couponservice.kafka.SaslKafka;
import couponservice.ratelimit.RedisServerProcess;
import couponservice.testkit.ApiClient;
import couponservice.testkit.Eventually;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node started as in production, {@code java couponservice.Main} with its settings in environment variables, on a
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

  @TempDir
  Path output;

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
  private static Map<String, String> environment(int httpPort) {
    Config db = database.config(kafka.saslBootstrapServers());
    Map<String, String> environment = new HashMap<>();
    environment.put("COUPON_PROFILE", "prod");
    environment.put("COUPON_HTTP_PORT", Integer.toString(httpPort));
    environment.put("COUPON_MANAGEMENT_PORT", Integer.toString(TestNodes.freePort()));
    environment.put("COUPON_REMOTE_HOST", "127.0.0.1");
    environment.put("COUPON_REMOTE_PORT", Integer.toString(TestNodes.freePort()));
    environment.put("COUPON_AUTH_JWT_SECRET", TestNodes.JWT_SECRET);
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
  void aNodeThatServedAndStoppedPrintedNoSecret() throws Exception {
    int httpPort = TestNodes.freePort();
    NodeProcess node = NodeProcess.start(environment(httpPort), output);
    try {
      node.awaitOutput("listening on http://");
      long policyId = api.createPolicy(httpPort, Map.of("distributionType", "DOWNLOAD", "maxIssuePerUser", 1));
      assertEquals(201, api.send(httpPort, "POST", "/api/coupon-policies/" + policyId + "/issue",
          ApiClient.userToken(5), Map.of("userId", 5)).status(), "issued past the rate limiter (Redis)");
    } finally {
      node.stop();
    }
    String printed = node.output();
    assertTrue(printed.contains("sasl.jaas.config = [hidden]"), "the Kafka clients printed their configuration");
    assertTrue(printed.contains("read-model - configuration:"), "the read model's pool printed its configuration");
    assertNoSecret(printed, SECRETS);
  }

  @Test
  void aRefusedStartNamesTheComponentInOneLineAndNoPassword() throws Exception {
    String wrongKafka = "wrong-" + KAFKA_PASSWORD;
    Map<String, String> kafkaRefuses = environment(TestNodes.freePort());
    kafkaRefuses.put("KAFKA_SASL_PASSWORD", wrongKafka);
    String kafkaLine = NodeProcess.refusedStart(kafkaRefuses, output.resolve("kafka"));
    assertTrue(kafkaLine.startsWith("coupon-service cannot start: cannot reach Kafka at " + kafka.saslBootstrapServers()
        + ": Authentication failed"), kafkaLine);

    String wrongRedis = "wrong-" + REDIS_PASSWORD;
    Map<String, String> redisRefuses = environment(TestNodes.freePort());
    redisRefuses.put("REDIS_PASSWORD", wrongRedis);
    String redisLine = NodeProcess.refusedStart(redisRefuses, output.resolve("redis"));
    assertTrue(redisLine.startsWith("coupon-service cannot start: Redis at 127.0.0.1:" + redis.port() + " refused"),
        redisLine);
    assertTrue(redisLine.contains("WRONGPASS"), redisLine);

    assertNoSecret(Files.readString(output.resolve("kafka").resolve("output.log")),
        List.of(wrongKafka, REDIS_PASSWORD, DATABASE_PASSWORD, TestNodes.JWT_SECRET));
    assertNoSecret(Files.readString(output.resolve("redis").resolve("output.log")),
        List.of(KAFKA_PASSWORD, wrongRedis, DATABASE_PASSWORD, TestNodes.JWT_SECRET));
  }

  private static void assertNoSecret(String printed, List<String> secrets) {
    for (String secret : secrets) {
      int at = printed.indexOf(secret);
      assertFalse(at >= 0, () -> "a secret was printed: "
          + printed.substring(Math.max(0, at - 300), Math.min(printed.length(), at + 100)));
    }
  }

  /** {@code java couponservice.Main} on this test's classpath, its stdout and stderr in one file. */
  private record NodeProcess(Process process, Path log) {
    static NodeProcess start(Map<String, String> environment, Path dir) throws IOException {
      Files.createDirectories(dir);
      Path log = dir.resolve("output.log");
      ProcessBuilder builder = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
          "-Dlogback.configurationFile=logback-secrets-test.xml",
          // Not an environment variable of the service: kept apart from other tests' topics.
          "-Dcoupon.kafka.topic-prefix=" + database.topicPrefix(),
          "-cp", System.getProperty("java.class.path"),
          Main.class.getName())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile());
      builder.environment().putAll(environment);
      return new NodeProcess(builder.start(), log);
    }

    /** Runs a node that must not start; returns its one {@code cannot start} line. */
    static String refusedStart(Map<String, String> environment, Path dir) throws Exception {
      NodeProcess node = start(environment, dir);
      if (!node.process.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        node.stop();
        throw new AssertionError("the node neither started nor stopped within " + START_TIMEOUT + ":\n" + node.output());
      }
      assertEquals(1, node.process.exitValue(), node::output);
      List<String> refusals = node.output().lines().filter(line -> line.startsWith("coupon-service cannot start: ")).toList();
      assertEquals(1, refusals.size(), node::output);
      return refusals.get(0);
    }

    void awaitOutput(String text) {
      Eventually.await(START_TIMEOUT, "the node printing '" + text + "'", () -> {
        String printed = output();
        if (!process.isAlive() && !printed.contains(text)) {
          throw new AssertionError("the node exited with " + process.exitValue() + ":\n" + printed);
        }
        return printed.contains(text);
      });
    }

    String output() {
      try {
        return Files.readString(log);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    /** SIGTERM, as a container runtime stops it: the node leaves gracefully and its shutdown is logged too. */
    void stop() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }
}
