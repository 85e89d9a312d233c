package couponservice.readside;

import java.sql.Connection;
import java.sql.SQLException;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.projection.jdbc.JdbcSession;

/** One transaction of a projection: the rows it writes and its offset commit together. */
public final class ReadModelSession implements JdbcSession {
  private final Connection connection;

  ReadModelSession(Connection connection) {
    this.connection = connection;
  }

  public Connection connection() {
    return connection;
  }

  @Override
  public <Result> Result withConnection(Function<Connection, Result> func) throws Exception {
    return func.apply(connection);
  }

  @Override
  public void commit() throws SQLException {
    connection.commit();
  }

  @Override
  public void rollback() throws SQLException {
    connection.rollback();
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
