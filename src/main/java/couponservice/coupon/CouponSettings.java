package couponservice.coupon;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import couponservice.policy.CouponIds;
import java.time.Duration;
import java.util.List;

/** Coupon lifecycle settings ({@code coupon.lifecycle} in coupon.conf). */
public record CouponSettings(
    Duration reservationTimeout,
    Duration reservationSweepInterval,
    Duration expirySweepInterval,
    int sweepBatchSize,
    int reservationIndexSlices,
    Duration reservationIndexRetention,
    int tagSlices,
    Duration passivateAfter) {

  public static CouponSettings fromConfig(Config config) {
    Config c = config.getConfig("coupon.lifecycle");
    Duration timeout = reservationTimeout(c.getString("reservation-timeout"));
    Duration retention = c.getDuration("reservation-index-retention");
    if (retention.compareTo(timeout.multipliedBy(2)) < 0) {
      retention = timeout.multipliedBy(2);
    }
    return new CouponSettings(timeout, c.getDuration("reservation-sweep-interval"),
        c.getDuration("expiry-sweep-interval"), c.getInt("sweep-batch-size"), c.getInt("reservation-index-slices"),
        retention, c.getInt("tag-slices"), c.getDuration("passivate-after"));
  }

  /** COUPON_RESERVATION_TIMEOUT: whole minutes ({@code 10}) or a duration ({@code 30s}). */
  static Duration reservationTimeout(String value) {
    String trimmed = value.trim();
    Duration timeout = trimmed.matches("\\d+")
        ? Duration.ofMinutes(Long.parseLong(trimmed))
        : ConfigFactory.parseString("t = " + trimmed).getDuration("t");
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("COUPON_RESERVATION_TIMEOUT must be positive, not " + value);
    }
    return timeout;
  }

  /** The tag of a coupon's events; the read-model and Kafka projections run one instance per tag. */
  public String tagFor(long couponId) {
    return CouponIds.tagOf(couponId, tagSlices);
  }

  public List<String> tags() {
    return CouponIds.tags(tagSlices);
  }
}
