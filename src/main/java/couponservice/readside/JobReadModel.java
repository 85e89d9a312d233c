package couponservice.readside;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import couponservice.Json;
import couponservice.jobs.JobStatus;
import couponservice.jobs.JobView;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Queries over {@code issuance_jobs} and {@code issuance_job_results}: the job list, a job's results, live jobs. */
public final class JobReadModel {
  private static final TypeReference<TreeMap<String, Long>> FAILURES = new TypeReference<>() {};

  private final ReadModelDatabase database;

  public JobReadModel(ReadModelDatabase database) {
    this.database = database;
  }

  /** One user's outcome; {@code position} (its place in the request) is the cursor, not part of the answer. */
  public record JobResult(@JsonIgnore long position, long userId, Long couponId, String status, String errorCode) {}

  /** Whether job {@code jobId} has its row: it started (the row follows the start by under a second). */
  public boolean contains(long jobId) throws SQLException {
    return !Rows.list(database.dataSource(), "SELECT 1 FROM issuance_jobs WHERE job_id = ?",
        statement -> statement.setLong(1, jobId), row -> 1).isEmpty();
  }

  /** Jobs with an id below {@code beforeId} (all when null), newest first, at most {@code limit}. */
  public Page<JobView> list(Long beforeId, int limit) throws SQLException {
    return Rows.newestFirst(database.dataSource(), "issuance_jobs", "job_id", beforeId, limit, JobReadModel::jobOf);
  }

  /**
   * The results of job {@code jobId} after position {@code afterPosition} (from the start when null), in request
   * order, only those with {@code status} (SUCCESS or FAILED) unless it is null; empty when the job has no row yet.
   */
  public Optional<Page<JobResult>> results(long jobId, String status, Long afterPosition, int limit)
      throws SQLException {
    if (!contains(jobId)) {
      return Optional.empty();
    }
    String sql = "SELECT * FROM issuance_job_results WHERE job_id = ?" + (status == null ? "" : " AND status = ?")
        + " AND position > ? ORDER BY position LIMIT ?";
    return Optional.of(Page.of(Rows.list(database.dataSource(), sql, statement -> {
      int index = 1;
      statement.setLong(index++, jobId);
      if (status != null) {
        statement.setString(index++, status);
      }
      statement.setLong(index++, afterPosition == null ? -1 : afterPosition);
      statement.setInt(index, limit + 1);
    }, row -> new JobResult(row.getLong("position"), row.getLong("user_id"), Rows.getLong(row, "coupon_id"),
        row.getString("status"), row.getString("error_code"))), limit));
  }

  /** The jobs running now and those that ended at {@code endedSince} or later, for the live view. */
  public List<JobView> active(Instant endedSince) throws SQLException {
    return Rows.list(database.dataSource(),
        "SELECT * FROM issuance_jobs WHERE status = ? OR completed_at >= ? ORDER BY job_id", statement -> {
          statement.setString(1, JobStatus.RUNNING.name());
          Rows.setInstant(statement, 2, endedSince);
        }, JobReadModel::jobOf);
  }

  private static JobView jobOf(ResultSet row) throws SQLException {
    long success = row.getLong("success_count");
    long failure = row.getLong("failure_count");
    return new JobView(row.getLong("job_id"), row.getLong("policy_id"), row.getString("name"),
        row.getString("issued_by"), JobStatus.valueOf(row.getString("status")), row.getLong("total_requested"),
        success + failure, success, failure, failures(row.getString("failures_by_code")),
        Rows.getInstant(row, "created_at"), Rows.getInstant(row, "started_at"), Rows.getInstant(row, "completed_at"));
  }

  private static Map<String, Long> failures(String json) throws SQLException {
    try {
      return Json.MAPPER.readValue(json, FAILURES);
    } catch (JsonProcessingException e) {
      throw new SQLException("issuance_jobs.failures_by_code is not a JSON object of counts", e);
    }
  }
}
