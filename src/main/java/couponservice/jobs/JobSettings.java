package couponservice.jobs;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

/** Bulk issuance job settings ({@code coupon.jobs} in coupon.conf). */
public record JobSettings(int chunkSize, Duration policyAskTimeout, Duration minBackoff, Duration maxBackoff,
    Duration passivateAfter, int tagSlices) {

  /** The policy decides at most this many users per command, as for a direct issue. */
  static final int MAX_CHUNK_SIZE = 10_000;

  public JobSettings {
    if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
      throw new IllegalArgumentException("coupon.jobs.chunk-size must be from 1 to " + MAX_CHUNK_SIZE + ", not "
          + chunkSize);
    }
    if (tagSlices < 1) {
      throw new IllegalArgumentException("coupon.jobs.tag-slices must be positive, not " + tagSlices);
    }
  }

  public static JobSettings fromConfig(Config config) {
    Config jobs = config.getConfig("coupon.jobs");
    return new JobSettings(jobs.getInt("chunk-size"), jobs.getDuration("policy-ask-timeout"),
        jobs.getDuration("retry-backoff.min"), jobs.getDuration("retry-backoff.max"), jobs.getDuration("passivate-after"),
        jobs.getInt("tag-slices"));
  }

  /** The tag of a job's events that the read side projects; one projection instance per tag. */
  public String tagFor(long jobId) {
    return "job-" + Math.floorMod(jobId, tagSlices);
  }

  public List<String> tags() {
    return IntStream.range(0, tagSlices).mapToObj(i -> "job-" + i).toList();
  }
}
