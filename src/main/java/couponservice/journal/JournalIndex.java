package couponservice.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * Where an event is in the journal (its persistence id and sequence number), looked up in pekko-persistence-jdbc's
 * tables as soon as the event is written; the event itself is then read through the read journal
 * ({@link JournalEvents}). The query API cannot answer these: {@code eventsByTag} reads one tag, and only up to the
 * orderings it has seen to be gapless, a moment after they are written.
 *
 * <p>Tags of one family that sort as text — a fixed prefix and fixed-width numbers, so that any collation orders
 * them by their numbers — make the index on {@code event_tag(tag, event_id)} an ordered index of that family.
 */
public final class JournalIndex {
  public record Position(String persistenceId, long sequenceNr) {}

  private final DataSource database;
  private final Executor blocking;

  public JournalIndex(DataSource database, Executor blocking) {
    this.database = database;
    this.blocking = blocking;
  }

  /** The event tagged with the greatest tag from {@code lowestTag} to {@code highestTag}, if one is. */
  public CompletionStage<Optional<Position>> greatestTagged(String lowestTag, String highestTag) {
    return query("""
            SELECT j.persistence_id, j.sequence_number FROM event_tag t JOIN event_journal j ON j.ordering = t.event_id
            WHERE t.tag BETWEEN ? AND ? ORDER BY t.tag DESC LIMIT 1""",
        statement -> {
          statement.setString(1, lowestTag);
          statement.setString(2, highestTag);
        },
        rows -> rows.next() ? Optional.of(new Position(rows.getString(1), rows.getLong(2))) : Optional.empty());
  }

  /** The first event of {@code persistenceId} from {@code from} to {@code to} serialized with {@code manifest}. */
  public CompletionStage<OptionalLong> firstWithManifest(String persistenceId, long from, long to, String manifest) {
    return query("""
            SELECT MIN(sequence_number) FROM event_journal
            WHERE persistence_id = ? AND sequence_number BETWEEN ? AND ? AND event_ser_manifest = ?""",
        statement -> {
          statement.setString(1, persistenceId);
          statement.setLong(2, from);
          statement.setLong(3, to);
          statement.setString(4, manifest);
        },
        rows -> {
          rows.next();
          long first = rows.getLong(1);
          return rows.wasNull() ? OptionalLong.empty() : OptionalLong.of(first);
        });
  }

  /** The sequence number of the last event of {@code persistenceId}; 0 when it has none. */
  public CompletionStage<Long> highestSequenceNr(String persistenceId) {
    return query("SELECT COALESCE(MAX(sequence_number), 0) FROM event_journal WHERE persistence_id = ?",
        statement -> statement.setString(1, persistenceId),
        rows -> {
          rows.next();
          return rows.getLong(1);
        });
  }

  private interface Parameters {
    void bind(PreparedStatement statement) throws SQLException;
  }

  private interface Rows<T> {
    T read(ResultSet rows) throws SQLException;
  }

  private <T> CompletionStage<T> query(String sql, Parameters parameters, Rows<T> rows) {
    return CompletableFuture.supplyAsync(() -> {
      try (Connection connection = database.getConnection();
          PreparedStatement statement = connection.prepareStatement(sql)) {
        parameters.bind(statement);
        try (ResultSet result = statement.executeQuery()) {
          return rows.read(result);
        }
      } catch (SQLException e) {
        throw new CompletionException(e);
      }
    }, blocking);
  }
}
