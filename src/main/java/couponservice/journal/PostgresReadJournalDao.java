package couponservice.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.NotUsed;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.PersistentRepr$;
import org.apache.pekko.persistence.jdbc.config.EventJournalTableColumnNames;
import org.apache.pekko.persistence.jdbc.config.EventJournalTableConfiguration;
import org.apache.pekko.persistence.jdbc.config.EventTagTableConfiguration;
import org.apache.pekko.persistence.jdbc.config.ReadJournalConfig;
import org.apache.pekko.persistence.jdbc.query.dao.DefaultReadJournalDao;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.scaladsl.Source;
import scala.Tuple3;
import scala.collection.immutable.Set;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;
import scala.util.Success;
import scala.util.Try;
import slick.dbio.DBIOAction;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;
import slick.jdbc.SimpleJdbcAction;

/**
 * The read journal DAO of the prod profile, set by pekko-persistence-jdbc's {@code jdbc-read-journal.dao}: the
 * library's {@link DefaultReadJournalDao}, except for {@link #eventsByTag} (a method of its {@code ReadJournalDao}
 * interface), which every projection polls. The default filters the ordering range on the journal side of the
 * join, which PostgreSQL cannot carry over to the tag table, so each poll read every event of the tag; this one
 * ranges over the tag index ({@code event_tag(tag, event_id)}) directly.
 */
public final class PostgresReadJournalDao extends DefaultReadJournalDao {
  /** One journal row as stored; {@code metaPayload} and {@code metaSerializerId} are null without metadata. */
  private record StoredEvent(long ordering, boolean deleted, String persistenceId, long sequenceNumber,
      String writer, long writeTimestamp, String adapterManifest, byte[] payload, int serializerId,
      String serializerManifest, byte[] metaPayload, Integer metaSerializerId, String metaSerializerManifest) {}

  private final JdbcBackend.JdbcDatabaseDef db;
  private final Serialization serialization;
  private final String eventsByTagSql;

  public PostgresReadJournalDao(
      JdbcBackend.JdbcDatabaseDef db,
      JdbcProfile profile,
      ReadJournalConfig readJournalConfig,
      Serialization serialization,
      ExecutionContext ec,
      Materializer mat) {
    super(db, profile, readJournalConfig, serialization, ec, mat);
    this.db = db;
    this.serialization = serialization;
    EventJournalTableConfiguration journal = readJournalConfig.eventJournalTableConfiguration();
    EventTagTableConfiguration tags = readJournalConfig.eventTagTableConfiguration();
    EventJournalTableColumnNames c = journal.columnNames();
    String eventId = "t." + tags.columnNames().eventId();
    this.eventsByTagSql = "SELECT " + String.join(", ", "j." + c.ordering(), "j." + c.deleted(), "j." + c.persistenceId(),
        "j." + c.sequenceNumber(), "j." + c.writer(), "j." + c.writeTimestamp(), "j." + c.adapterManifest(),
        "j." + c.eventPayload(), "j." + c.eventSerId(), "j." + c.eventSerManifest(), "j." + c.metaPayload(),
        "j." + c.metaSerId(), "j." + c.metaSerManifest())
        + " FROM " + PostgresJournalDao.qualified(tags.schemaName(), tags.tableName()) + " t JOIN "
        + PostgresJournalDao.qualified(journal.schemaName(), journal.tableName()) + " j ON j." + c.ordering() + " = "
        + eventId + " WHERE t." + tags.columnNames().tag() + " = ? AND " + eventId + " > ? AND " + eventId
        + " <= ? AND j." + c.deleted() + " = FALSE ORDER BY " + eventId + " LIMIT ?";
  }

  /** As the library's: each event with its ordering, and without its tags (which nothing reads). */
  @Override
  public Source<Try<Tuple3<PersistentRepr, Set<String>, Object>>, NotUsed> eventsByTag(
      String tag, long offset, long maxOffset, long max) {
    SimpleJdbcAction<List<StoredEvent>> query =
        SimpleJdbcAction.apply(ctx -> rows(ctx.connection(), tag, offset, maxOffset, max));
    return org.apache.pekko.stream.javadsl.Source.completionStage(FutureConverters.asJava(run(query)))
        .mapConcat(rows -> rows)
        .map(this::deserialize)
        .asScala();
  }

  private Try<Tuple3<PersistentRepr, Set<String>, Object>> deserialize(StoredEvent row) {
    return serialization.deserialize(row.payload(), row.serializerId(), row.serializerManifest())
        .flatMap(payload -> {
          PersistentRepr event = PersistentRepr$.MODULE$.apply(payload, row.sequenceNumber(), row.persistenceId(),
              row.adapterManifest(), row.deleted(), null, row.writer()).withTimestamp(row.writeTimestamp());
          if (row.metaPayload() == null || row.metaSerializerId() == null) {
            return new Success<>(event);
          }
          String metaManifest = row.metaSerializerManifest() == null ? "" : row.metaSerializerManifest();
          return serialization.deserialize(row.metaPayload(), row.metaSerializerId(), metaManifest)
              .map(event::withMetadata);
        })
        .map(event -> new Tuple3<>(event, scala.collection.immutable.Set$.MODULE$.<String>empty(), row.ordering()));
  }

  /** Slick's effect type parameter is contravariant, which Java generics cannot express. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private Future<List<StoredEvent>> run(SimpleJdbcAction<List<StoredEvent>> action) {
    return db.run((DBIOAction) action);
  }

  private List<StoredEvent> rows(Connection connection, String tag, long offset, long maxOffset, long max) {
    try (PreparedStatement statement = connection.prepareStatement(eventsByTagSql)) {
      statement.setString(1, tag);
      statement.setLong(2, offset);
      statement.setLong(3, maxOffset);
      statement.setLong(4, max);
      List<StoredEvent> rows = new ArrayList<>();
      try (ResultSet r = statement.executeQuery()) {
        while (r.next()) {
          rows.add(new StoredEvent(r.getLong(1), r.getBoolean(2), r.getString(3), r.getLong(4), r.getString(5),
              r.getLong(6), r.getString(7), r.getBytes(8), r.getInt(9), r.getString(10), r.getBytes(11),
              r.getObject(12, Integer.class), r.getString(13)));
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("eventsByTag query for " + tag + " failed", e);
    }
  }
}
