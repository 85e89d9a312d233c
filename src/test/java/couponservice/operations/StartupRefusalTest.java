package couponservice.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.typesafe.config.Config;
import couponservice.testkit.ServiceProcess;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestKafka;
import couponservice.testkit.TestNodes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * API.md "Running": a misconfiguration stops {@code java couponservice.node.Main} within seconds, exit status 1, with
 * one clear line saying what is wrong and no stack trace. Each node here is set up by environment variables alone,
 * all of them right but the one under test.
 */
class StartupRefusalTest {
  /** JVM start and the refusal itself on a busy two-core machine: "within seconds", with room to spare. */
  private static final Duration WITHIN_SECONDS = Duration.ofSeconds(30);

  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();

  /** What a deployment of the prod profile sets, on this test's database and the test broker. */
  private static Map<String, String> environment() {
    Config db = database.config();
    Map<String, String> environment = new HashMap<>();
    environment.put("DATABASE_HOST", db.getString("coupon.database.host"));
    environment.put("DATABASE_PORT", db.getString("coupon.database.port"));
    environment.put("DATABASE_NAME", db.getString("coupon.database.name"));
    environment.put("DATABASE_USER", db.getString("coupon.database.user"));
    environment.put("KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers());
    environment.put("COUPON_RATE_LIMIT_ENABLED", "false");
    environment.put("COUPON_AUTH_JWT_SECRET", TestNodes.JWT_SECRET);
    return environment;
  }

  /** The one line of a node started with {@code environment} changed by {@code change}. */
  private static String refusal(String name, Map<String, String> change) {
    Map<String, String> environment = environment();
    environment.putAll(change);
    try (ServiceProcess node = ServiceProcess.startProdFromEnvironment(name, environment)) {
      String line = node.refusal(WITHIN_SECONDS);
      assertFalse(node.logText().lines().anyMatch(printed -> printed.startsWith("\tat ")),
          () -> "no stack trace:\n" + node.logText());
      return line;
    }
  }

  @Test
  void aSecretShorterThan32BytesIsNamed() {
    assertEquals("coupon-service cannot start: COUPON_AUTH_JWT_SECRET must be at least 32 bytes, it has 31",
        refusal("short-secret", Map.of("COUPON_AUTH_JWT_SECRET", "x".repeat(31))));
  }

  @Test
  void anUnreachableDatabaseIsNamedWithItsAddress() {
    int closedPort = TestNodes.freePort();
    String url = "jdbc:postgresql://" + database.config().getString("coupon.database.host") + ":" + closedPort + "/"
        + database.config().getString("coupon.database.name");
    assertEquals("coupon-service cannot start: cannot reach the database at " + url + ": Connection refused",
        refusal("unreachable-database", Map.of("DATABASE_PORT", Integer.toString(closedPort))));
  }

  @Test
  void anHttpPortInUseIsNamed() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      assertEquals("coupon-service cannot start: cannot listen for HTTP on 127.0.0.1:" + port + ": Address already in use",
          refusal("http-port-in-use", Map.of("COUPON_HTTP_PORT", Integer.toString(port))));
    }
  }

  @Test
  void aReservationTimeoutThatIsNeitherMinutesNorADurationIsNamed() {
    // 1.5 would otherwise be read as HOCON's milliseconds.
    for (String timeout : List.of("1.5", "30 parsecs")) {
      assertEquals("coupon-service cannot start: COUPON_RESERVATION_TIMEOUT must be whole minutes (10) or a duration"
          + " such as 30s, not " + timeout, refusal("reservation-timeout-" + timeout.replace(' ', '-'),
              Map.of("COUPON_RESERVATION_TIMEOUT", timeout)));
    }
  }
}
