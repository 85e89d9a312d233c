package couponservice.readside;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** The connection pool of the read side (projections and queries), separate from the journal's. */
public final class ReadModelDatabase implements AutoCloseable {
  private final HikariDataSource dataSource;
  private final SqlDialect dialect;

  private ReadModelDatabase(HikariDataSource dataSource, SqlDialect dialect) {
    this.dataSource = dataSource;
    this.dialect = dialect;
  }

  public static ReadModelDatabase open(Config config) {
    Config db = config.getConfig("coupon.database");
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("read-model");
    hikari.setJdbcUrl(db.getString("url"));
    hikari.setUsername(db.getString("user"));
    hikari.setPassword(db.getString("password"));
    hikari.setDriverClassName(db.getString("driver"));
    hikari.setMaximumPoolSize(db.getInt("max-connections"));
    hikari.setMinimumIdle(1);
    hikari.setConnectionTimeout(5_000);
    hikari.setInitializationFailTimeout(5_000);
    SqlDialect dialect = SqlDialect.ofJdbcUrl(db.getString("url"));
    if (dialect == SqlDialect.POSTGRES) {
      // The projections insert coupons in JDBC batches; sent as multi-row INSERTs they cost PostgreSQL far less.
      hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
    }
    return new ReadModelDatabase(new HikariDataSource(hikari), dialect);
  }

  public DataSource dataSource() {
    return dataSource;
  }

  public SqlDialect dialect() {
    return dialect;
  }

  /** A session with its own transaction, for one projection step. */
  public ReadModelSession openSession() {
    try {
      Connection connection = dataSource.getConnection();
      connection.setAutoCommit(false);
      return new ReadModelSession(connection);
    } catch (SQLException e) {
      throw new IllegalStateException("read model database unavailable", e);
    }
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
