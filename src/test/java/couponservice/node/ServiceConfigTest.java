package couponservice.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import couponservice.coupon.CouponSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceConfigTest {

  @Test
  void seedNodesBecomeClusterAddresses() {
    assertEquals(List.of("pekko://coupon-service@node-1:2551", "pekko://coupon-service@10.0.0.2:2552"),
        ServiceConfig.seedNodes("node-1:2551, 10.0.0.2:2552").getStringList("pekko.cluster.seed-nodes"));
    assertThrows(IllegalArgumentException.class, () -> ServiceConfig.seedNodes("node-1"));
  }

  @Test
  void aProfileIsLoadedWithTheSeedNodesOfTheEnvironment() {
    var config = ServiceConfig.load("prod", ConfigFactory.empty(), Map.of("COUPON_SEED_NODES", "a:2551"));
    assertEquals(List.of("pekko://coupon-service@a:2551"), config.getStringList("pekko.cluster.seed-nodes"));
    assertEquals("prod", config.getString("coupon.profile"));
    assertThrows(IllegalArgumentException.class, () -> ServiceConfig.load("staging", ConfigFactory.empty(), Map.of()));
  }

  @Test
  void theDatabaseTlsAndPoolVariablesReachBothPools() {
    Config config = prod(Map.of("DATABASE_SSL_MODE", "verify-full", "DATABASE_SSL_ROOT_CERT", "/etc/ssl/pg-ca.pem",
        "DATABASE_POOL_SIZE", "5"));
    Config journalPool = config.getConfig("pekko-persistence-jdbc.shared-databases.slick.db");
    Map<String, Object> tls = Map.of("sslmode", "verify-full", "sslrootcert", "/etc/ssl/pg-ca.pem");
    assertEquals(tls, journalPool.getConfig("properties").root().unwrapped());
    assertEquals(tls, config.getConfig("coupon.database.properties").root().unwrapped(), "the read model's pool");
    assertEquals(5, journalPool.getInt("maxConnections"));
    assertEquals(5, config.getInt("coupon.database.max-connections"), "the read model's pool");

    Config unset = prod(Map.of());
    assertEquals(Map.of("sslmode", "prefer"), unset.getConfig("coupon.database.properties").root().unwrapped(),
        "pgjdbc's own default, and no root certificate path of ours");
    assertEquals(16, unset.getInt("coupon.database.max-connections"));
  }

  @Test
  void theReservationTimeoutVariableIsMinutesOrADuration() {
    assertEquals(Duration.ofMinutes(10), reservationTimeout(Map.of()), "the default");
    assertEquals(Duration.ofMinutes(15), reservationTimeout(Map.of("COUPON_RESERVATION_TIMEOUT", "15")));
    assertEquals(Duration.ofSeconds(30), reservationTimeout(Map.of("COUPON_RESERVATION_TIMEOUT", "30s")));
    assertEquals(Duration.ofSeconds(90), reservationTimeout(Map.of("COUPON_RESERVATION_TIMEOUT", "1.5m")));
    for (String refused : List.of("0", "0s", "1.5", "-5", "soon", "30 parsecs")) {
      IllegalArgumentException refusal = assertThrows(IllegalArgumentException.class,
          () -> reservationTimeout(Map.of("COUPON_RESERVATION_TIMEOUT", refused)), refused);
      assertTrue(refusal.getMessage().startsWith("COUPON_RESERVATION_TIMEOUT must be"), refusal.getMessage());
    }
  }

  private static Duration reservationTimeout(Map<String, String> environment) {
    return CouponSettings.fromConfig(prod(environment)).reservationTimeout();
  }

  /** The prod profile with {@code environment} in place of the process's environment variables. */
  private static Config prod(Map<String, String> environment) {
    return ConfigFactory.parseMap(environment)
        .withFallback(ConfigFactory.parseResourcesAnySyntax("prod"))
        .withFallback(ConfigFactory.defaultReference())
        .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false));
  }
}
