package couponservice.journal;

import couponservice.metrics.CouponMetrics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.apache.pekko.Done;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.jdbc.config.BaseDaoConfig;
import org.apache.pekko.persistence.jdbc.config.EventJournalTableColumnNames;
import org.apache.pekko.persistence.jdbc.config.EventJournalTableConfiguration;
import org.apache.pekko.persistence.jdbc.config.EventTagTableConfiguration;
import org.apache.pekko.persistence.jdbc.config.JournalConfig;
import org.apache.pekko.persistence.jdbc.journal.dao.DefaultJournalDao;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import scala.collection.immutable.Seq;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;
import scala.runtime.BoxedUnit;
import scala.util.Try;
import slick.dbio.DBIOAction;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;
import slick.jdbc.SimpleJdbcAction;

/**
 * The journal DAO of the prod profile, set by pekko-persistence-jdbc's {@code jdbc-journal.dao}. Reading, deleting
 * and the highest sequence number are the library's {@link DefaultJournalDao}; only {@link #asyncWriteMessages}, a
 * method of its {@code JournalDao} interface, is replaced. The default inserts tagged events one statement (and
 * round trip) each to learn their {@code ordering}; with every coupon event tagged that capped the journal at about
 * 13,000 events/s on the development machine. Here the writes of many entities that meet in the queue (the
 * library's {@code bufferSize}, {@code batchSize} and {@code parallelism}) are written by one statement: events and
 * tags, bound as one array per column, so every batch runs the same prepared statement. (The default's own write
 * queue, fed only by the method replaced here, stays empty.)
 *
 * <p>{@code eventsByTag} reads in {@code ordering} order, so within an entity the orderings must follow the sequence
 * numbers. A batch holds the events in the order the journal received them, which for each entity is its sequence
 * order. The statement does not rely on the order in which PostgreSQL evaluates {@code nextval}: it draws one value
 * per event, ranks the drawn values, and gives the k-th smallest to the k-th event of the batch. Tags name their
 * event by its place in the batch and are inserted by the same statement, so they commit with their events (the
 * library's foreign key from {@code event_tag} to the journal stays and is checked per tag).
 */
public final class PostgresJournalDao extends DefaultJournalDao {
  /** An event or metadata as the journal stores it: serializer id, manifest and bytes. */
  private record Serialized(int serializerId, String manifest, byte[] bytes) {
    static Serialized of(Serialization serialization, Object value) {
      Serializer serializer = serialization.findSerializerFor(value);
      return new Serialized(serializer.identifier(), Serializers.manifestFor(serializer, value),
          serialization.serialize(value).get());
    }

    static Object nullable(Serialized serialized, Function<Serialized, Object> field) {
      return serialized == null ? null : field.apply(serialized);
    }
  }

  /** One event of a batch, serialized, with its tags; {@code metadata} is null when the event has none. */
  private record EventRow(PersistentRepr event, Serialized payload, Serialized metadata, List<String> tags) {}

  /** One tag, naming its event by the event's place in the batch (1-based, as the statement numbers them). */
  private record TagRow(long eventNumber, String tag) {}

  /** The rows of one {@code asyncWriteMessages} call, and what completes it once they are written. */
  private record PendingWrite(List<EventRow> rows, CompletableFuture<Done> written) {}

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

  private static final List<ArrayColumn<TagRow>> TAG_COLUMNS = List.of(
      new ArrayColumn<>("n", "bigint", Long[]::new, TagRow::eventNumber),
      new ArrayColumn<>("tag", "varchar", String[]::new, TagRow::tag));

  private final JdbcBackend.JdbcDatabaseDef db;
  private final Serialization serialization;
  private final BaseDaoConfig queueSettings;
  private final List<ArrayColumn<EventRow>> eventColumns;
  private final String insertSql;
  private final BoundedSourceQueue<PendingWrite> writes;

  public PostgresJournalDao(
      JdbcBackend.JdbcDatabaseDef db,
      JdbcProfile profile,
      JournalConfig journalConfig,
      Serialization serialization,
      ExecutionContext ec,
      Materializer mat) {
    super(db, profile, journalConfig, serialization, ec, mat);
    this.db = db;
    this.serialization = serialization;
    this.queueSettings = journalConfig.daoConfig();
    EventJournalTableColumnNames e = journalConfig.eventJournalTableConfiguration().columnNames();
    this.eventColumns = List.of(
        new ArrayColumn<>(e.deleted(), "boolean", Boolean[]::new, row -> row.event().deleted()),
        new ArrayColumn<>(e.persistenceId(), "varchar", String[]::new, row -> row.event().persistenceId()),
        new ArrayColumn<>(e.sequenceNumber(), "bigint", Long[]::new, row -> row.event().sequenceNr()),
        new ArrayColumn<>(e.writer(), "varchar", String[]::new, row -> row.event().writerUuid()),
        new ArrayColumn<>(e.writeTimestamp(), "bigint", Long[]::new, row -> row.event().timestamp()),
        new ArrayColumn<>(e.adapterManifest(), "varchar", String[]::new, row -> row.event().manifest()),
        new ArrayColumn<>(e.eventPayload(), "bytea", byte[][]::new, row -> row.payload().bytes()),
        new ArrayColumn<>(e.eventSerId(), "integer", Integer[]::new, row -> row.payload().serializerId()),
        new ArrayColumn<>(e.eventSerManifest(), "varchar", String[]::new, row -> row.payload().manifest()),
        new ArrayColumn<>(e.metaPayload(), "bytea", byte[][]::new,
            row -> Serialized.nullable(row.metadata(), Serialized::bytes)),
        new ArrayColumn<>(e.metaSerId(), "integer", Integer[]::new,
            row -> Serialized.nullable(row.metadata(), Serialized::serializerId)),
        new ArrayColumn<>(e.metaSerManifest(), "varchar", String[]::new,
            row -> Serialized.nullable(row.metadata(), Serialized::manifest)));
    this.insertSql = insertSql(journalConfig.eventJournalTableConfiguration(),
        journalConfig.eventTagTableConfiguration(), eventColumns);
    // Group commit: the writes that arrive while statements are running are joined into the next statement.
    this.writes = Source.<PendingWrite>queue(queueSettings.bufferSize())
        .batchWeighted(queueSettings.batchSize(), write -> (long) write.rows().size(),
            write -> new ArrayList<>(List.of(write)),
            (batch, write) -> {
              batch.add(write);
              return batch;
            })
        .mapAsync(queueSettings.parallelism(), this::write)
        .to(Sink.ignore())
        .run(mat);
  }

  /**
   * {@code drawn}: one sequence value per event (evaluated once: a WITH query holding a volatile function is never
   * inlined); {@code numbered}: those values ranked, so that the n-th smallest goes to the n-th event whatever the
   * order they were drawn in. The events and their tags join that numbering on their place in the batch.
   */
  private static String insertSql(EventJournalTableConfiguration journal, EventTagTableConfiguration tags,
      List<ArrayColumn<EventRow>> eventColumns) {
    String ordering = journal.columnNames().ordering();
    // The sequence PostgreSQL creates for the library's BIGSERIAL ordering column.
    String sequence = qualified(journal.schemaName(), journal.tableName() + "_" + ordering + "_seq");
    String columns = eventColumns.stream().map(ArrayColumn::name).collect(Collectors.joining(", "));
    return "WITH drawn AS MATERIALIZED (SELECT nextval('" + sequence + "') AS ordering"
        + " FROM generate_series(1, ?::integer))"
        + ", numbered AS (SELECT ordering, row_number() OVER (ORDER BY ordering) AS n FROM drawn)"
        + ", events AS (INSERT INTO " + qualified(journal.schemaName(), journal.tableName())
        + " (" + ordering + ", " + columns + ") SELECT numbered.ordering, " + columns
        + " FROM UNNEST(" + arrayParameters(eventColumns) + ") WITH ORDINALITY AS batch(" + columns + ", n)"
        + " JOIN numbered USING (n))"
        + " INSERT INTO " + qualified(tags.schemaName(), tags.tableName())
        + " (" + tags.columnNames().eventId() + ", " + tags.columnNames().tag() + ")"
        + " SELECT numbered.ordering, tags.tag FROM UNNEST(" + arrayParameters(TAG_COLUMNS) + ") AS tags("
        + TAG_COLUMNS.stream().map(ArrayColumn::name).collect(Collectors.joining(", ")) + ")"
        + " JOIN numbered USING (n)";
  }

  private static String arrayParameters(List<? extends ArrayColumn<?>> columns) {
    return columns.stream().map(c -> "?::" + c.type() + "[]").collect(Collectors.joining(", "));
  }

  static String qualified(scala.Option<String> schema, String table) {
    return schema.isDefined() && !schema.get().isEmpty() ? schema.get() + "." + table : table;
  }

  /**
   * As the plugin API asks: an atomic write whose events cannot be serialized is rejected on its own (its
   * {@code Try} fails), the others are written; a failed statement fails them all.
   */
  @Override
  public Future<Seq<Try<BoxedUnit>>> asyncWriteMessages(Seq<AtomicWrite> messages) {
    List<Try<BoxedUnit>> results = new ArrayList<>(messages.size());
    List<EventRow> rows = new ArrayList<>();
    for (AtomicWrite write : CollectionConverters.asJava(messages)) {
      Try<List<EventRow>> serialized = Try.apply(() -> rowsOf(write));
      results.add(serialized.map(written -> BoxedUnit.UNIT));
      if (serialized.isSuccess()) {
        rows.addAll(serialized.get());
      }
    }
    Seq<Try<BoxedUnit>> outcome = CollectionConverters.asScala(results).toList();
    CompletionStage<Done> written = rows.isEmpty() ? CompletableFuture.completedFuture(Done.getInstance()) : enqueue(rows);
    return FutureConverters.asScala(written.thenApply(done -> outcome));
  }

  private List<EventRow> rowsOf(AtomicWrite write) {
    List<EventRow> rows = new ArrayList<>(write.size());
    for (PersistentRepr event : CollectionConverters.asJava(write.payload())) {
      Object payload = event.payload();
      List<String> tags = List.of();
      if (payload instanceof Tagged tagged) {
        payload = tagged.payload();
        tags = List.copyOf(CollectionConverters.asJava(tagged.tags()));
      }
      Serialized metadata = event.metadata().isDefined() ? Serialized.of(serialization, event.metadata().get()) : null;
      rows.add(new EventRow(event, Serialized.of(serialization, payload), metadata, tags));
    }
    return rows;
  }

  private CompletionStage<Done> enqueue(List<EventRow> rows) {
    PendingWrite pending = new PendingWrite(rows, new CompletableFuture<>());
    QueueOfferResult offered = writes.offer(pending);
    if (!offered.isEnqueued()) {
      pending.written().completeExceptionally(new IllegalStateException("journal write of " + rows.size()
          + " events not queued (" + offered + "; jdbc-journal.bufferSize is " + queueSettings.bufferSize() + ")"));
    }
    return pending.written();
  }

  /** Writes a batch and completes its writes; never fails, so that the queue goes on after a failed statement. */
  private CompletionStage<Done> write(List<PendingWrite> batch) {
    List<EventRow> rows = batch.stream().flatMap(pending -> pending.rows().stream()).toList();
    SimpleJdbcAction<BoxedUnit> insert = SimpleJdbcAction.apply(ctx -> {
      long started = System.nanoTime();
      insert(ctx.connection(), rows);
      CouponMetrics.JOURNAL_WRITES.observe((System.nanoTime() - started) / 1e9);
      CouponMetrics.JOURNAL_WRITE_EVENTS.observe(rows.size());
      return BoxedUnit.UNIT;
    });
    return FutureConverters.asJava(run(insert)).handle((unit, failure) -> {
      for (PendingWrite pending : batch) {
        if (failure == null) {
          pending.written().complete(Done.getInstance());
        } else {
          pending.written().completeExceptionally(failure);
        }
      }
      return Done.getInstance();
    });
  }

  /** Slick's effect type parameter is contravariant, which Java generics cannot express. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private Future<BoxedUnit> run(SimpleJdbcAction<BoxedUnit> action) {
    return db.run((DBIOAction) action);
  }

  /** One statement, so atomic on its own: the events, and their tags. */
  private void insert(Connection connection, List<EventRow> rows) {
    List<TagRow> tags = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      for (String tag : rows.get(i).tags()) {
        tags.add(new TagRow(i + 1, tag));
      }
    }
    try (PreparedStatement statement = connection.prepareStatement(insertSql)) {
      int parameter = 1;
      statement.setInt(parameter++, rows.size());
      for (ArrayColumn<EventRow> column : eventColumns) {
        statement.setArray(parameter++, connection.createArrayOf(column.type(), column.values(rows)));
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
