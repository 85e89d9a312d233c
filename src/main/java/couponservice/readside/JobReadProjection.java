package couponservice.readside;

import static couponservice.readside.ArrayStatement.Type.BIGINT;
import static couponservice.readside.ArrayStatement.Type.VARCHAR;
import static couponservice.readside.ArrayStatement.columns;

import couponservice.Json;
import couponservice.jobs.IssuanceJob;
import couponservice.jobs.IssuanceJob.ChunkProcessed;
import couponservice.jobs.IssuanceJob.JobEnded;
import couponservice.jobs.IssuanceJob.JobStarted;
import couponservice.jobs.JobCounts;
import couponservice.jobs.JobSettings;
import couponservice.jobs.JobStatus;
import couponservice.jobs.JobView;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.projection.Projection;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * The one writer of {@code issuance_jobs} and {@code issuance_job_results}: a job's row from its start, its counts and
 * status from each chunk and its end, and each user's outcome from the chunk that processed it. Exactly once (rows
 * and offset in one transaction), one instance per job tag slice.
 */
public final class JobReadProjection extends JdbcHandler<List<EventEnvelope<IssuanceJob.Event>>, ReadModelSession> {
  private static final String NAME = "job-read-model";
  private static final List<ArrayStatement.Column> RESULT_COLUMNS = columns("job_id", BIGINT, "position", BIGINT,
      "user_id", BIGINT, "coupon_id", BIGINT, "status", VARCHAR, "error_code", VARCHAR);

  private final ArrayStatement insertResults;

  private JobReadProjection(SqlDialect dialect) {
    this.insertResults = new ArrayStatement("INSERT INTO issuance_job_results (job_id, position, user_id, coupon_id, "
        + "status, error_code) SELECT * FROM " + dialect.arrayRows(RESULT_COLUMNS), RESULT_COLUMNS, 2);
  }

  public static void init(ActorSystem<?> system, ReadModelDatabase database, JobSettings settings) {
    TagSliceProjections.run(system, NAME, settings.tags(), tag -> projection(system, database, tag));
  }

  private static Projection<EventEnvelope<IssuanceJob.Event>> projection(ActorSystem<?> system,
      ReadModelDatabase database, String tag) {
    return JdbcProjection.groupedWithin(
            ProjectionId.of(NAME, tag),
            EventSourcedProvider.<IssuanceJob.Event>eventsByTag(system, JdbcReadJournal.Identifier(), tag),
            database::openSession,
            () -> new JobReadProjection(database.dialect()),
            system)
        .withGroup(20, Duration.ofMillis(100));
  }

  /** A job row's latest counts and status within a group: one update per job, whatever its chunks in the group. */
  private record Progress(JobCounts counts, JobStatus status, Instant completedAt) {}

  @Override
  public void process(ReadModelSession session, List<EventEnvelope<IssuanceJob.Event>> envelopes) throws Exception {
    Connection connection = session.connection();
    ArrayStatement.Batch results = insertResults.batch();
    Map<Long, Progress> progress = new LinkedHashMap<>();
    for (EventEnvelope<IssuanceJob.Event> envelope : envelopes) {
      IssuanceJob.Event event = envelope.event();
      if (event instanceof JobStarted started) {
        insertJob(connection, started);
      } else if (event instanceof ChunkProcessed chunk) {
        for (int i = 0; i < chunk.userIds().length; i++) {
          boolean issued = chunk.errorCodes()[i] == null;
          results.put(chunk.jobId(), (long) chunk.firstPosition() + i, chunk.userIds()[i],
              issued ? chunk.couponIds()[i] : null, issued ? "SUCCESS" : "FAILED",
              issued ? null : chunk.errorCodes()[i].name());
        }
        progress.put(chunk.jobId(), new Progress(chunk.counts(), JobStatus.RUNNING, null));
      } else if (event instanceof JobEnded ended) {
        progress.put(ended.jobId(), new Progress(ended.counts(), ended.status(), ended.at()));
      }
    }
    results.execute(connection);
    for (Map.Entry<Long, Progress> job : progress.entrySet()) {
      updateJob(connection, job.getKey(), job.getValue());
    }
    ProjectionLag.observe(NAME, envelopes);
  }

  private static void insertJob(Connection connection, JobStarted started) throws SQLException {
    Rows.execute(connection, "DELETE FROM issuance_jobs WHERE job_id = ?", statement -> statement.setLong(1,
        started.jobId()));
    Rows.execute(connection, """
        INSERT INTO issuance_jobs (job_id, policy_id, name, issued_by, status, total_requested, success_count,
          failure_count, failures_by_code, created_at, started_at, completed_at)
        VALUES (?, ?, ?, ?, ?, ?, 0, 0, '{}', ?, ?, NULL)""", statement -> {
          statement.setLong(1, started.jobId());
          statement.setLong(2, started.policyId());
          statement.setString(3, started.name());
          statement.setString(4, started.issuedBy());
          statement.setString(5, JobStatus.RUNNING.name());
          statement.setLong(6, started.totalRequested());
          Rows.setInstant(statement, 7, started.createdAt());
          Rows.setInstant(statement, 8, started.startedAt());
        });
  }

  private static void updateJob(Connection connection, long jobId, Progress progress) throws SQLException {
    Rows.execute(connection, """
        UPDATE issuance_jobs SET status = ?, success_count = ?, failure_count = ?, failures_by_code = ?,
          completed_at = ? WHERE job_id = ?""", statement -> {
          statement.setString(1, progress.status().name());
          statement.setLong(2, progress.counts().successCount());
          statement.setLong(3, progress.counts().failureCount());
          statement.setString(4, new String(Json.write(JobView.byName(progress.counts().failuresByCode())),
              StandardCharsets.UTF_8));
          Rows.setInstant(statement, 5, progress.completedAt());
          statement.setLong(6, jobId);
        });
  }
}
