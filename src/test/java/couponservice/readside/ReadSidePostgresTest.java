package couponservice.readside;

import couponservice.node.ServiceNode;
import couponservice.testkit.OffsetClock;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The read side on PostgreSQL (the prod profile). */
class ReadSidePostgresTest extends ReadSideContract {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  private static ServiceNode node;
  private static final OffsetClock clock = new OffsetClock();

  @BeforeAll
  static void start() {
    node = TestNodes.start(TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(), ConfigFactory.empty()), clock);
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
