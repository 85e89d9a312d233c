package couponservice.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
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
}
