package couponservice.journal;

import couponservice.metrics.CouponMetrics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;
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
  /**
   * One array parameter of the statement: its column, the SQL type of its elements, a Java array the driver
   * encodes as that type, and the value of a row.
   */
  private record ArrayColumn<R>(String name, String type, IntFunction<Object[]> newArray, Function<R, Object> value) {
    Object[] values(List<R> rows) {
      Object[] values = newArray.apply(rows.size());
      for (int i = 0; i < values.length; i++) {
        values[i] = value.apply(rows.get(i));
      }
      return values;
    }
  }

  private record TagRow(String persistenceId, long sequenceNumber, String tag) {}

  private static final List<ArrayColumn<TagRow>> TAG_COLUMNS = List.of(
      new ArrayColumn<>("pid", "varchar", String[]::new, TagRow::persistenceId),
      new ArrayColumn<>("seq", "bigint", Long[]::new, TagRow::sequenceNumber),
      new ArrayColumn<>("tag", "varchar", String[]::new, TagRow::tag));

  private final JdbcBackend.JdbcDatabaseDef db;
  private final List<ArrayColumn<JournalPekkoSerializationRow>> eventColumns;
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
    this.eventColumns = List.of(
        new ArrayColumn<>(e.deleted(), "boolean", Boolean[]::new, JournalPekkoSerializationRow::deleted),
        new ArrayColumn<>(e.persistenceId(), "varchar", String[]::new, JournalPekkoSerializationRow::persistenceId),
        new ArrayColumn<>(e.sequenceNumber(), "bigint", Long[]::new, JournalPekkoSerializationRow::sequenceNumber),
        new ArrayColumn<>(e.writer(), "varchar", String[]::new, JournalPekkoSerializationRow::writer),
        new ArrayColumn<>(e.writeTimestamp(), "bigint", Long[]::new, JournalPekkoSerializationRow::writeTimestamp),
        new ArrayColumn<>(e.adapterManifest(), "varchar", String[]::new, JournalPekkoSerializationRow::adapterManifest),
        new ArrayColumn<>(e.eventPayload(), "bytea", byte[][]::new, JournalPekkoSerializationRow::eventPayload),
        new ArrayColumn<>(e.eventSerId(), "integer", Integer[]::new, JournalPekkoSerializationRow::eventSerId),
        new ArrayColumn<>(e.eventSerManifest(), "varchar", String[]::new, JournalPekkoSerializationRow::eventSerManifest),
        new ArrayColumn<>(e.metaPayload(), "bytea", byte[][]::new, row -> orNull(row.metaPayload())),
        new ArrayColumn<>(e.metaSerId(), "integer", Integer[]::new, row -> orNull(row.metaSerId())),
        new ArrayColumn<>(e.metaSerManifest(), "varchar", String[]::new, row -> orNull(row.metaSerManifest())));
    String columns = eventColumns.stream().map(ArrayColumn::name).collect(Collectors.joining(", "));
    // Orderings are drawn in array order (ORDER BY the ordinality), which is sequence order within an entity.
    this.insertSql = "WITH inserted AS (INSERT INTO " + qualified(journal.schemaName(), journal.tableName())
        + " (" + columns + ") SELECT " + columns + " FROM UNNEST(" + arrayParameters(eventColumns)
        + ") WITH ORDINALITY AS rows(" + columns + ", n) ORDER BY n RETURNING "
        + e.ordering() + ", " + e.persistenceId() + ", " + e.sequenceNumber() + ") INSERT INTO "
        + qualified(tags.schemaName(), tags.tableName()) + " (" + tags.columnNames().eventId() + ", "
        + tags.columnNames().tag() + ") SELECT inserted." + e.ordering() + ", tags.tag FROM inserted"
        + " JOIN UNNEST(" + arrayParameters(TAG_COLUMNS) + ") AS tags("
        + TAG_COLUMNS.stream().map(ArrayColumn::name).collect(Collectors.joining(", ")) + ")"
        + " ON tags.pid = inserted." + e.persistenceId() + " AND tags.seq = inserted." + e.sequenceNumber();
  }

  private static Object orNull(scala.Option<?> value) {
    return value.isDefined() ? value.get() : null;
  }

  private static String arrayParameters(List<? extends ArrayColumn<?>> columns) {
    return columns.stream().map(c -> "?::" + c.type() + "[]").collect(Collectors.joining(", "));
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
    List<JournalPekkoSerializationRow> events = rows.stream().map(TaggedRow::row).toList();
    List<TagRow> tags = rows.stream()
        .flatMap(r -> r.tags().stream().map(tag -> new TagRow(r.row().persistenceId(), r.row().sequenceNumber(), tag)))
        .toList();
    try (PreparedStatement statement = connection.prepareStatement(insertSql)) {
      int parameter = 1;
      for (ArrayColumn<JournalPekkoSerializationRow> column : eventColumns) {
        statement.setArray(parameter++, connection.createArrayOf(column.type(), column.values(events)));
      }
      for (ArrayColumn<TagRow> column : TAG_COLUMNS) {
        statement.setArray(parameter++, connection.createArrayOf(column.type(), column.values(tags)));
      }
      statement.executeUpdate();
    } catch (SQLException ex) {
      throw new IllegalStateException("journal write of " + rows.size() + " events failed", ex);
    }
  }
}
