package couponservice.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A PostgreSQL database of its own for one test class, on the local server (TEST_PG_HOST / TEST_PG_PORT /
 * TEST_PG_USER override 127.0.0.1 / 5432 / postgres), dropped afterwards so runs never collide.
 */
public final class TestDatabase implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
  private static final String HOST = env("TEST_PG_HOST", "127.0.0.1");
  private static final String PORT = env("TEST_PG_PORT", "5432");
  private static final String USER = env("TEST_PG_USER", "postgres");
  private static final String PASSWORD = env("TEST_PG_PASSWORD", "");

  private final String name = "coupon_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

  private TestDatabase() {}

  /** A database created now; close it to drop it. */
  public static TestDatabase create() {
    TestDatabase database = new TestDatabase();
    database.createNow();
    return database;
  }

  /**
   * A database for one test class, as a JUnit extension on a static field: created before the class's
   * own set-up, dropped after its tear-down.
   */
  public static TestDatabase perTestClass() {
    return new TestDatabase();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    createNow();
  }

  /** Creates a database of {@link #perTestClass()} where JUnit's extensions do not run (the ScalaTest suites). */
  public void createNow() {
    execute("postgres", "CREATE DATABASE " + name);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isEmpty() ? fallback : value;
  }

  private static String url(String database) {
    return "jdbc:postgresql://" + HOST + ":" + PORT + "/" + database;
  }

  private static void execute(String database, String sql) {
    try (Connection connection = DriverManager.getConnection(url(database), USER, PASSWORD);
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " failed", e);
    }
  }

  /** Settings that point a node of the prod profile at this database, and at Kafka topics of its own. */
  public Config config() {
    return config(TestKafka.bootstrapServers());
  }

  /** The same on another broker than the shared test broker (one of a test's own). */
  public Config config(String kafkaBootstrapServers) {
    return ConfigFactory.parseMap(Map.of(
        "coupon.kafka.bootstrap-servers", kafkaBootstrapServers,
        "coupon.kafka.topic-prefix", topicPrefix(),
        "coupon.kafka.partitions", 2,
        // Tests issue many coupons to one user; the rate limit has tests of its own.
        "coupon.rate-limit.enabled", false))
        .withFallback(databaseConfig());
  }

  /** Only the prod profile's database settings, for tests of the journal alone (no broker started). */
  public Config databaseConfig() {
    return ConfigFactory.parseMap(Map.of(
        "coupon.database.host", HOST,
        "coupon.database.port", PORT,
        "coupon.database.name", name,
        "coupon.database.user", USER,
        "coupon.database.password", PASSWORD,
        "coupon.database.max-connections", 8));
  }

  /** The prefix of this database's Kafka topics and consumer group. */
  public String topicPrefix() {
    return name + ".";
  }

  /** A connection of the test's own to this database. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url(name), USER, PASSWORD);
  }

  /** A single number from this database, for assertions on what was written. */
  public long queryLong(String sql) {
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " failed", e);
    }
  }

  /** Runs statements on this database (test set-up and clean-up). */
  public void execute(String sql) {
    execute(name, sql);
  }

  /** Every row of a query, each as its columns' text, for comparing table contents. */
  public List<List<String>> queryRows(String sql) {
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      int columns = rows.getMetaData().getColumnCount();
      List<List<String>> result = new ArrayList<>();
      while (rows.next()) {
        List<String> row = new ArrayList<>(columns);
        for (int i = 1; i <= columns; i++) {
          row.add(rows.getString(i));
        }
        result.add(row);
      }
      return result;
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " failed", e);
    }
  }

  /**
   * A database outage as the service sees one: new connections to this database are refused and every open one
   * is killed, until {@link #endOutage()}.
   */
  public void beginOutage() {
    execute("postgres", "ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS false");
    execute("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
  }

  public void endOutage() {
    execute("postgres", "ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS true");
  }

  @Override
  public void close() {
    execute("postgres", "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }
}
