package couponservice.policy;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

/** Policy entity settings ({@code coupon.policy} in coupon.conf). */
public record PolicySettings(
    int tagSlices, Duration idempotencyRetention, int snapshotEveryEvents, Duration snapshotQuietPeriod) {

  public static PolicySettings fromConfig(Config config) {
    Config policy = config.getConfig("coupon.policy");
    return new PolicySettings(policy.getInt("tag-slices"), policy.getDuration("idempotency-retention"),
        policy.getInt("snapshot-every-events"), policy.getDuration("snapshot-quiet-period"));
  }

  /** The tag of a policy's events; projections run one instance per tag. */
  public String tagFor(long policyId) {
    return "policy-" + (policyId % tagSlices);
  }

  public List<String> tags() {
    return IntStream.range(0, tagSlices).mapToObj(i -> "policy-" + i).toList();
  }
}
