package couponservice.readside;

import com.typesafe.config.ConfigFactory;
import couponservice.node.ServiceConfig;
import couponservice.node.ServiceNode;
import couponservice.StartupException;
import couponservice.testkit.OffsetClock;
import couponservice.testkit.TestKafka;
import couponservice.testkit.TestNodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The read side on the dev profile's H2 database: the same queries and projections must work there. */
class ReadSideH2Test extends ReadSideContract {
  private static ServiceNode node;
  private static final OffsetClock clock = new OffsetClock();

  @BeforeAll
  static void start() throws IOException, StartupException {
    Path dataDir = Files.createTempDirectory("coupon-h2-");
    node = ServiceNode.start(ServiceConfig.load("dev", ConfigFactory.parseMap(Map.of(
        "coupon.data-dir", dataDir.toString(),
        "coupon.http.port", 0,
        "coupon.http.interface", "127.0.0.1",
        "coupon.auth.jwt-secret", TestNodes.JWT_SECRET,
        "pekko.remote.artery.canonical.port", TestNodes.freePort(),
        "pekko.management.http.port", TestNodes.freePort(),
        "coupon.kafka.bootstrap-servers", TestKafka.bootstrapServers(),
        "coupon.kafka.topic-prefix", dataDir.getFileName() + ".",
        "coupon.kafka.partitions", 2,
        "coupon.rate-limit.enabled", false)), Map.of()), clock);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Override
  protected ServiceNode node() {
    return node;
  }

  @Override
  protected OffsetClock clock() {
    return clock;
  }
}
