package couponservice.jobs;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Bulk issuance job settings ({@code coupon.jobs} in coupon.conf).
 *
 * @param uploadTimeout how long a submission's body may take to arrive
 * @param submissionTimeout how long after its id is drawn a job may still receive its users and start
 * @param readModelGrace how far the job read model may lag a job's start, and the nodes' clocks each other
 * @param idempotencyRetention how long a submission's Idempotency-Key is remembered at least
 */
public record JobSettings(int chunkSize, Duration policyAskTimeout, Duration minBackoff, Duration maxBackoff,
    Duration passivateAfter, int tagSlices, Duration uploadTimeout, Duration submissionTimeout,
    Duration readModelGrace, Duration idempotencyRetention) {

  /** The policy decides at most this many users per command, as for a direct issue. */
  static final int MAX_CHUNK_SIZE = 10_000;
  /** A plain number is read as milliseconds: an upload timeout below this is a unit left out. */
  private static final Duration MIN_UPLOAD_TIMEOUT = Duration.ofSeconds(1);

  public JobSettings {
    if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
      throw new IllegalArgumentException("coupon.jobs.chunk-size must be from 1 to " + MAX_CHUNK_SIZE + ", not "
          + chunkSize);
    }
    if (tagSlices < 1) {
      throw new IllegalArgumentException("coupon.jobs.tag-slices must be positive, not " + tagSlices);
    }
    if (uploadTimeout.compareTo(MIN_UPLOAD_TIMEOUT) < 0) {
      throw new IllegalArgumentException("COUPON_JOBS_UPLOAD_TIMEOUT (coupon.jobs.upload-timeout) must be a duration"
          + " of at least 1s, such as 2m or 90s, not " + uploadTimeout.toMillis() + " ms");
    }
    if (submissionTimeout.isNegative() || submissionTimeout.isZero() || readModelGrace.isNegative()) {
      throw new IllegalArgumentException("coupon.jobs.submission-timeout must be positive and"
          + " coupon.jobs.read-model-grace not negative");
    }
    if (idempotencyRetention.compareTo(submissionTimeout) <= 0) {
      throw new IllegalArgumentException("coupon.jobs.idempotency-retention must be longer than"
          + " coupon.jobs.submission-timeout");
    }
  }

  public static JobSettings fromConfig(Config config) {
    Config jobs = config.getConfig("coupon.jobs");
    return new JobSettings(jobs.getInt("chunk-size"), jobs.getDuration("policy-ask-timeout"),
        jobs.getDuration("retry-backoff.min"), jobs.getDuration("retry-backoff.max"), jobs.getDuration("passivate-after"),
        jobs.getInt("tag-slices"), jobs.getDuration("upload-timeout"), jobs.getDuration("submission-timeout"),
        jobs.getDuration("read-model-grace"), jobs.getDuration("idempotency-retention"));
  }

  /** The tag of a job's events that the read side projects; one projection instance per tag. */
  public String tagFor(long jobId) {
    return "job-" + Math.floorMod(jobId, tagSlices);
  }

  public List<String> tags() {
    return IntStream.range(0, tagSlices).mapToObj(i -> "job-" + i).toList();
  }
}
