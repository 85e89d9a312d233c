package couponservice.readside;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * JDBC batches for a projection's group of events: one batch per statement, executed in a fixed phase
 * order, so that a group costs a few round trips instead of a few per event. The caller orders its
 * statements so that phase order gives every row its final value, and flushes early where it cannot.
 */
final class StatementBatches implements AutoCloseable {
  private final PreparedStatement[] phases;
  private final int[] pending;

  StatementBatches(Connection connection, List<String> phaseSql) throws SQLException {
    phases = new PreparedStatement[phaseSql.size()];
    pending = new int[phaseSql.size()];
    for (int i = 0; i < phases.length; i++) {
      phases[i] = connection.prepareStatement(phaseSql.get(i));
    }
  }

  void add(int phase, Rows.Binder binder) throws SQLException {
    binder.bind(phases[phase]);
    phases[phase].addBatch();
    pending[phase]++;
  }

  void flush() throws SQLException {
    for (int i = 0; i < phases.length; i++) {
      if (pending[i] > 0) {
        phases[i].executeBatch();
        pending[i] = 0;
      }
    }
  }

  @Override
  public void close() throws SQLException {
    for (PreparedStatement statement : phases) {
      statement.close();
    }
  }
}
