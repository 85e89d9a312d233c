package couponservice.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.NotUsed;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.jdbc.PekkoSerialization;
import org.apache.pekko.persistence.jdbc.config.EventJournalTableColumnNames;
import org.apache.pekko.persistence.jdbc.config.EventJournalTableConfiguration;
import org.apache.pekko.persistence.jdbc.config.EventTagTableConfiguration;
import org.apache.pekko.persistence.jdbc.config.ReadJournalConfig;
import org.apache.pekko.persistence.jdbc.journal.dao.JournalTables.JournalPekkoSerializationRow;
import org.apache.pekko.persistence.jdbc.query.dao.DefaultReadJournalDao;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.scaladsl.Source;
import scala.Option;
import scala.Tuple3;
import scala.collection.immutable.Set;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;
import scala.util.Try;
import slick.dbio.DBIOAction;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;
import slick.jdbc.SimpleJdbcAction;

/**
 * The read journal DAO of the prod profile: pekko-persistence-jdbc's own, except for the query behind
 * {@code eventsByTag}, which every projection polls. The default filters the ordering range on the
 * journal side of the join, which PostgreSQL cannot carry over to the tag table, so each poll read every
 * event of the tag; this one ranges over the tag index ({@code event_tag(tag, event_id)}) directly.
 */
public final class PostgresReadJournalDao extends DefaultReadJournalDao {
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

  @Override
  public Source<Try<Tuple3<PersistentRepr, Set<String>, Object>>, NotUsed> eventsByTag(
      String tag, long offset, long maxOffset, long max) {
    SimpleJdbcAction<List<JournalPekkoSerializationRow>> query =
        SimpleJdbcAction.apply(ctx -> rows(ctx.connection(), tag, offset, maxOffset, max));
    return org.apache.pekko.stream.javadsl.Source.completionStage(FutureConverters.asJava(run(query)))
        .mapConcat(rows -> rows)
        .map(row -> PekkoSerialization.fromRow(serialization, row)
            .map(read -> new Tuple3<PersistentRepr, Set<String>, Object>(read._1(), scala.collection.immutable.Set$.MODULE$.empty(), read._2())))
        .asScala();
  }

  /** Slick's effect type parameter is contravariant, which Java generics cannot express. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private Future<List<JournalPekkoSerializationRow>> run(SimpleJdbcAction<List<JournalPekkoSerializationRow>> action) {
    return db.run((DBIOAction) action);
  }

  private List<JournalPekkoSerializationRow> rows(Connection connection, String tag, long offset, long maxOffset, long max) {
    try (PreparedStatement statement = connection.prepareStatement(eventsByTagSql)) {
      statement.setString(1, tag);
      statement.setLong(2, offset);
      statement.setLong(3, maxOffset);
      statement.setLong(4, max);
      List<JournalPekkoSerializationRow> rows = new ArrayList<>();
      try (ResultSet r = statement.executeQuery()) {
        while (r.next()) {
          byte[] metaPayload = r.getBytes(11);
          int metaSerId = r.getInt(12);
          boolean noMeta = r.wasNull();
          rows.add(new JournalPekkoSerializationRow(r.getLong(1), r.getBoolean(2), r.getString(3), r.getLong(4),
              r.getString(5), r.getLong(6), r.getString(7), r.getBytes(8), r.getInt(9), r.getString(10),
              Option.apply(metaPayload), noMeta ? Option.empty() : Option.apply(metaSerId), Option.apply(r.getString(13))));
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("eventsByTag query for " + tag + " failed", e);
    }
  }
}
