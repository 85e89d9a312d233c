package couponservice.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
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

  /** The prod profile with {@code environment} in place of the process's environment variables. */
  private static Config prod(Map<String, String> environment) {
    return ConfigFactory.parseMap(environment)
        .withFallback(ConfigFactory.parseResourcesAnySyntax("prod"))
        .withFallback(ConfigFactory.defaultReference())
        .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false));
  }
}
