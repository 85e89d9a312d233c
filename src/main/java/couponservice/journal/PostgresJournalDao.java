package couponservice.journal;

import couponservice.metrics.CouponMetrics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.pekko.persistence.jdbc.config.EventJournalTableColumnNames;
import org.apache.pekko.persistence.jdbc.config.EventJournalTableConfiguration;
import org.apache.pekko.persistence.jdbc.config.EventTagTableConfiguration;
import org.apache.pekko.persistence.jdbc.config.JournalConfig;
import org.apache.pekko.persistence.jdbc.journal.dao.DefaultJournalDao;
import org.apache.pekko.persistence.jdbc.journal.dao.JournalTables.JournalPekkoSerializationRow;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.stream.Materializer;
import scala.Tuple2;
import scala.collection.immutable.Seq;
import scala.collection.immutable.Set;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.BoxedUnit;
import slick.dbio.DBIOAction;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;
import slick.jdbc.SimpleJdbcAction;

/**
 * The journal DAO of the prod profile: pekko-persistence-jdbc's own, except that a batch of rows is
 * written with one statement — all events and their tags, via {@code INSERT ... RETURNING} in a CTE.
 * The default DAO inserts tagged events one statement (and round trip) each to learn their
 * {@code ordering}; with every coupon event tagged that capped the journal at about 13,000 events/s
 * on the development machine. The rows are bound as one array per column, so every batch runs the same
 * prepared statement: with a {@code VALUES} row per event, each batch size was a statement of its own,
 * parsed and planned at every execution (a sixth of PostgreSQL's CPU while payments were applied).
 */
public final class PostgresJournalDao extends DefaultJournalDao {
  /** The array parameters: the event columns in the order of the insert, then the tag rows (pid, seq, tag). */
  private static final List<String> EVENT_ARRAY_TYPES = List.of("boolean", "varchar", "bigint", "varchar", "bigint",
      "varchar", "bytea", "integer", "varchar", "bytea", "integer", "varchar");
  private static final List<String> TAG_ARRAY_TYPES = List.of("varchar", "bigint", "varchar");

  private final JdbcBackend.JdbcDatabaseDef db;
  private final String insertSql;

  public PostgresJournalDao(
      JdbcBackend.JdbcDatabaseDef db,
      JdbcProfile profile,
      JournalConfig journalConfig,
      Serialization serialization,
      ExecutionContext ec,
      Materializer mat) {
    super(db, profile, journalConfig, serialization, ec, mat);
    this.db = db;
    EventJournalTableConfiguration journal = journalConfig.eventJournalTableConfiguration();
    EventJournalTableColumnNames e = journal.columnNames();
    EventTagTableConfiguration tags = journalConfig.eventTagTableConfiguration();
    String columns = String.join(", ", e.deleted(), e.persistenceId(), e.sequenceNumber(), e.writer(),
        e.writeTimestamp(), e.adapterManifest(), e.eventPayload(), e.eventSerId(), e.eventSerManifest(),
        e.metaPayload(), e.metaSerId(), e.metaSerManifest());
    // Orderings are drawn in array order (ORDER BY the ordinality), which is sequence order within an entity.
    this.insertSql = "WITH inserted AS (INSERT INTO " + qualified(journal.schemaName(), journal.tableName())
        + " (" + columns + ") SELECT " + columns + " FROM UNNEST(" + arrayParameters(EVENT_ARRAY_TYPES)
        + ") WITH ORDINALITY AS rows(" + columns + ", n) ORDER BY n RETURNING "
        + e.ordering() + ", " + e.persistenceId() + ", " + e.sequenceNumber() + ") INSERT INTO "
        + qualified(tags.schemaName(), tags.tableName()) + " (" + tags.columnNames().eventId() + ", "
        + tags.columnNames().tag() + ") SELECT inserted." + e.ordering() + ", tags.tag FROM inserted"
        + " JOIN UNNEST(" + arrayParameters(TAG_ARRAY_TYPES) + ") AS tags(pid, seq, tag)"
        + " ON tags.pid = inserted." + e.persistenceId() + " AND tags.seq = inserted." + e.sequenceNumber();
  }

  private static String arrayParameters(List<String> types) {
    return types.stream().map(type -> "?::" + type + "[]").collect(Collectors.joining(", "));
  }

  static String qualified(scala.Option<String> schema, String table) {
    return schema.isDefined() && !schema.get().isEmpty() ? schema.get() + "." + table : table;
  }

  private record TaggedRow(JournalPekkoSerializationRow row, List<String> tags) {}

  @Override
  public Future<BoxedUnit> writeJournalRows(Seq<Tuple2<JournalPekkoSerializationRow, Set<String>>> batch) {
    List<TaggedRow> rows = new ArrayList<>(batch.size());
    for (Tuple2<JournalPekkoSerializationRow, Set<String>> entry : CollectionConverters.asJava(batch)) {
      rows.add(new TaggedRow(entry._1(), new ArrayList<>(CollectionConverters.asJava(entry._2()))));
    }
    // Sequence order within an entity gives its events increasing orderings, as the tag queries expect.
    rows.sort((a, b) -> Long.compare(a.row().sequenceNumber(), b.row().sequenceNumber()));
    SimpleJdbcAction<BoxedUnit> write = SimpleJdbcAction.apply(ctx -> {
      long started = System.nanoTime();
      insert(ctx.connection(), rows);
      CouponMetrics.JOURNAL_WRITES.observe((System.nanoTime() - started) / 1e9);
      CouponMetrics.JOURNAL_WRITE_EVENTS.observe(rows.size());
      return BoxedUnit.UNIT;
    });
    return run(write);
  }

  /** Slick's effect type parameter is contravariant, which Java generics cannot express. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private Future<BoxedUnit> run(SimpleJdbcAction<BoxedUnit> action) {
    return db.run((DBIOAction) action);
  }

  /** One statement, so atomic on its own: the events, and the tags joined to their new orderings. */
  private void insert(Connection connection, List<TaggedRow> rows) {
    int n = rows.size();
    Boolean[] deleted = new Boolean[n];
    String[] persistenceIds = new String[n];
    Long[] sequenceNumbers = new Long[n];
    String[] writers = new String[n];
    Long[] writeTimestamps = new Long[n];
    String[] adapterManifests = new String[n];
    byte[][] payloads = new byte[n][];
    Integer[] serializerIds = new Integer[n];
    String[] manifests = new String[n];
    byte[][] metaPayloads = new byte[n][];
    Integer[] metaSerializerIds = new Integer[n];
    String[] metaManifests = new String[n];
    List<String> tagPersistenceIds = new ArrayList<>(n);
    List<Long> tagSequenceNumbers = new ArrayList<>(n);
    List<String> tagNames = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      JournalPekkoSerializationRow row = rows.get(i).row();
      deleted[i] = row.deleted();
      persistenceIds[i] = row.persistenceId();
      sequenceNumbers[i] = row.sequenceNumber();
      writers[i] = row.writer();
      writeTimestamps[i] = row.writeTimestamp();
      adapterManifests[i] = row.adapterManifest();
      payloads[i] = row.eventPayload();
      serializerIds[i] = row.eventSerId();
      manifests[i] = row.eventSerManifest();
      metaPayloads[i] = row.metaPayload().isDefined() ? row.metaPayload().get() : null;
      metaSerializerIds[i] = row.metaSerId().isDefined() ? (Integer) row.metaSerId().get() : null;
      metaManifests[i] = row.metaSerManifest().isDefined() ? row.metaSerManifest().get() : null;
      for (String tag : rows.get(i).tags()) {
        tagPersistenceIds.add(row.persistenceId());
        tagSequenceNumbers.add(row.sequenceNumber());
        tagNames.add(tag);
      }
    }
    try (PreparedStatement statement = connection.prepareStatement(insertSql)) {
      Object[][] eventArrays = {deleted, persistenceIds, sequenceNumbers, writers, writeTimestamps, adapterManifests,
          payloads, serializerIds, manifests, metaPayloads, metaSerializerIds, metaManifests};
      Object[][] tagArrays = {tagPersistenceIds.toArray(new String[0]), tagSequenceNumbers.toArray(new Long[0]),
          tagNames.toArray(new String[0])};
      for (int a = 0; a < eventArrays.length; a++) {
        statement.setArray(a + 1, connection.createArrayOf(EVENT_ARRAY_TYPES.get(a), eventArrays[a]));
      }
      for (int a = 0; a < tagArrays.length; a++) {
        statement.setArray(eventArrays.length + a + 1, connection.createArrayOf(TAG_ARRAY_TYPES.get(a), tagArrays[a]));
      }
      statement.executeUpdate();
    } catch (SQLException ex) {
      throw new IllegalStateException("journal write of " + n + " events failed", ex);
    }
  }
}
