package couponservice.journal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import couponservice.node.ServiceConfig;
import couponservice.readside.ReadSide;
import couponservice.StartupException;
import couponservice.coupon.CouponSettings;
import couponservice.readside.ReadModelDatabase;
import couponservice.testkit.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The journal of one profile as the service configures it ({@code conf/prod.conf}: PostgreSQL and the service's
 * DAOs; {@code conf/dev.conf}: H2 files and the library's DAOs), on a database of a test's own, with the tables
 * created by the step a starting node runs. The database exists from {@link #create} until {@link #close}.
 */
final class ProfileJournal implements AutoCloseable {
  /** The journal needs no cluster: the tests' actor systems stay off the network. */
  private static final Config LOCAL = ConfigFactory.parseMap(Map.of("pekko.actor.provider", "local"));

  private final Config config;
  private final Runnable createDatabase;
  private final Runnable dropDatabase;

  private ProfileJournal(Config config, Runnable createDatabase, Runnable dropDatabase) {
    this.config = config;
    this.createDatabase = createDatabase;
    this.dropDatabase = dropDatabase;
  }

  /** The prod profile on a PostgreSQL database of the test's own. */
  static ProfileJournal postgres() {
    TestDatabase database = TestDatabase.perTestClass();
    Config config = ServiceConfig.load("prod", LOCAL.withFallback(database.databaseConfig()), Map.of());
    return new ProfileJournal(config, database::createNow, database::close);
  }

  /** The dev profile, its H2 files in a directory of the test's own (COUPON_DATA_DIR). */
  static ProfileJournal h2() {
    Path dataDir = Path.of(System.getProperty("java.io.tmpdir"), "coupon-journal-" + UUID.randomUUID());
    Config config = ServiceConfig.load("dev",
        LOCAL.withFallback(ConfigFactory.parseMap(Map.of("coupon.data-dir", dataDir.toString()))), Map.of());
    return new ProfileJournal(config, () -> {}, () -> {
      // The dev URL keeps the database open after its last connection (DB_CLOSE_DELAY=-1) until SHUTDOWN.
      execute(config, "SHUTDOWN");
      deleteRecursively(dataDir);
    });
  }

  Config config() {
    return config;
  }

  /** Creates the database, then its tables as a starting node does ({@link ReadSide#createSchema}). */
  void create(ActorSystem<?> system) {
    createDatabase.run();
    try (ReadModelDatabase database = ReadModelDatabase.open(config)) {
      ReadSide.createSchema(system, database, CouponSettings.fromConfig(config));
    } catch (StartupException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** A connection of the test's own, for assertions on the tables. */
  Connection connect() throws SQLException {
    return connect(config);
  }

  private static Connection connect(Config config) throws SQLException {
    return DriverManager.getConnection(config.getString("coupon.database.url"),
        config.getString("coupon.database.user"), config.getString("coupon.database.password"));
  }

  private static void execute(Config config, String sql) {
    try (Connection connection = connect(config); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " failed", e);
    }
  }

  private static void deleteRecursively(Path directory) {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Drops the database (the actor system using it must have terminated). */
  @Override
  public void close() {
    dropDatabase.run();
  }
}
