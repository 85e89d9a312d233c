package couponservice.readside;

import couponservice.ServiceNode;
import couponservice.testkit.OffsetClock;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The read side on PostgreSQL (the prod profile). */
class ReadSidePostgresTest extends ReadSideContract {
  private static TestDatabase database;
  private static ServiceNode node;
  private static final OffsetClock clock = new OffsetClock();

  @BeforeAll
  static void start() {
    database = TestDatabase.create();
    node = TestNodes.start(TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(), ConfigFactory.empty()), clock);
  }

  @AfterAll
  static void stop() {
    node.close();
    database.close();
  }

  @Override
  protected int port() {
    return node.httpPort();
  }

  @Override
  protected OffsetClock clock() {
    return clock;
  }
}
