package couponservice.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import couponservice.node.ServiceConfig;
import couponservice.node.ServiceNode;
import couponservice.StartupException;
import couponservice.testkit.ApiClient;
import couponservice.testkit.TestKafka;
import couponservice.testkit.TestNodes;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A prod node on a PostgreSQL of the test's own that accepts TLS connections with a password and nothing else:
 * DATABASE_SSL_MODE=require connects and serves; sslmode=disable, or a wrong password, is refused at startup in
 * one line.
 */
class PostgresTlsTest {
  @RegisterExtension
  static final ApiClient api = new ApiClient();

  private static final String ROLE = "coupon_tls";
  private static final String PASSWORD = "pg-Pa55'word";
  private static final String DATABASE = "coupon";

  private static PostgresTlsServer postgres;

  @BeforeAll
  static void startPostgres() throws Exception {
    Path bin = PostgresTlsServer.binaries().orElse(null);
    Assumptions.assumeTrue(bin != null,
        "PostgreSQL server programs (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin: install the "
            + "postgresql package (.ci/run does) to run this test");
    postgres = PostgresTlsServer.start(bin, ROLE, PASSWORD, DATABASE);
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  /** A prod node on that server with this sslmode, and on Kafka topics of its own on the shared test broker. */
  private static Config nodeConfig(String sslMode) {
    return nodeConfig(sslMode, PASSWORD);
  }

  private static Config nodeConfig(String sslMode, String password) {
    Config infrastructure = ConfigFactory.parseMap(Map.of(
        "coupon.database.host", "127.0.0.1",
        "coupon.database.port", postgres.port(),
        "coupon.database.name", DATABASE,
        "coupon.database.user", ROLE,
        "coupon.database.password", password,
        "coupon.database.properties.sslmode", sslMode,
        "coupon.database.max-connections", 4,
        "coupon.kafka.bootstrap-servers", TestKafka.bootstrapServers(),
        "coupon.kafka.topic-prefix", "pg-tls-" + UUID.randomUUID() + ".",
        "coupon.rate-limit.enabled", false));
    return TestNodes.nodeConfig(infrastructure, TestNodes.freePort(), List.of(), ConfigFactory.empty());
  }

  @Test
  void withTlsRequiredANodeConnectsWithItsPasswordAndIssuesCoupons() {
    try (ServiceNode node = TestNodes.start(nodeConfig("require"))) {
      int port = node.httpPort();
      long policyId = api.createPolicy(port, Map.of("distributionType", "DOWNLOAD", "maxIssuePerUser", 1));
      ApiClient.Response issued = api.send(port, "POST", "/api/coupon-policies/" + policyId + "/issue",
          ApiClient.userToken(7), Map.of("userId", 7));
      assertEquals(201, issued.status(), issued.body()::toString);
      assertEquals(1, api.send(port, "GET", "/api/coupon-policies/" + policyId, ApiClient.adminToken(), null)
          .longField("currentIssueCount"), "written to the journal over TLS");
    }
  }

  @Test
  void withTlsDisabledTheServerRefusesTheNodeWhichStopsWithOneLineNamingTheDatabase() {
    Config config = ServiceConfig.load("prod", nodeConfig("disable"), Map.of());
    StartupException refused = assertThrows(StartupException.class, () -> ServiceNode.start(config, Clock.systemUTC()));
    String line = refused.getMessage();
    assertTrue(line.startsWith("cannot reach the database at jdbc:postgresql://127.0.0.1:" + postgres.port() + "/"),
        line);
    assertTrue(line.contains("no encryption"), "the server's reason: " + line);
    assertFalse(line.contains("\n"), "one line: " + line);
    assertFalse(line.contains(PASSWORD), line);
  }

  @Test
  void aWrongPasswordStopsStartupWithOneLineNamingTheDatabase() {
    String wrong = "wrong-" + PASSWORD;
    Config config = ServiceConfig.load("prod", nodeConfig("require", wrong), Map.of());
    StartupException refused = assertThrows(StartupException.class, () -> ServiceNode.start(config, Clock.systemUTC()));
    String line = refused.getMessage();
    assertTrue(line.startsWith("cannot reach the database at jdbc:postgresql://127.0.0.1:" + postgres.port() + "/"),
        line);
    assertTrue(line.contains("password authentication failed for user \"" + ROLE + "\""), line);
    assertFalse(line.contains("\n"), "one line: " + line);
    assertFalse(line.contains(wrong), line);
  }
}
