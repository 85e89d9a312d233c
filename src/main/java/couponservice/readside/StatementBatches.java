package couponservice.readside;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A projection group's rows for a fixed sequence of statements (phases), each executed once per flush
 * with all its rows. The caller orders the phases so that phase order gives every row its final value,
 * and flushes early where it cannot.
 */
final class StatementBatches {
  private final Connection connection;
  private final List<ArrayStatement.Batch> phases;

  StatementBatches(Connection connection, List<ArrayStatement> statements) {
    this.connection = connection;
    this.phases = statements.stream().map(ArrayStatement::batch).toList();
  }

  void add(int phase, Object... row) {
    phases.get(phase).put(row);
  }

  void flush() throws SQLException {
    for (ArrayStatement.Batch phase : phases) {
      phase.execute(connection);
    }
  }
}
