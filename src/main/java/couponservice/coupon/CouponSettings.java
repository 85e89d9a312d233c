package couponservice.coupon;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import couponservice.policy.CouponTagSlices;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Coupon lifecycle settings ({@code coupon.lifecycle} in coupon.conf). */
public record CouponSettings(
    Duration reservationTimeout,
    Duration reservationSweepInterval,
    Duration expirySweepInterval,
    int sweepBatchSize,
    int reservationIndexSlices,
    Duration reservationIndexRetention,
    CouponTagSlices couponTags,
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
        retention, CouponTagSlices.byCouponId(c.getInt("tag-slices")), c.getDuration("passivate-after"));
  }

  /** The same with the coupon slicing the database recorded. */
  public CouponSettings withCouponTags(CouponTagSlices tags) {
    return new CouponSettings(reservationTimeout, reservationSweepInterval, expirySweepInterval, sweepBatchSize,
        reservationIndexSlices, reservationIndexRetention, tags, passivateAfter);
  }

  /**
   * COUPON_RESERVATION_TIMEOUT: whole minutes ({@code 10}) or a number with a unit ({@code 30s}, {@code 2m}). A number
   * of another form is refused rather than read as HOCON's milliseconds ({@code 1.5} is not 1.5 ms).
   */
  static Duration reservationTimeout(String value) {
    String trimmed = value.trim();
    Duration timeout;
    if (trimmed.matches("\\d+")) {
      timeout = Duration.ofMinutes(Long.parseLong(trimmed));
    } else if (trimmed.matches("\\d+(\\.\\d+)?\\s*[A-Za-z]+")) {
      try {
        timeout = ConfigFactory.parseMap(Map.of("timeout", trimmed)).getDuration("timeout");
      } catch (ConfigException e) {
        throw invalidTimeout(value);
      }
    } else {
      throw invalidTimeout(value);
    }
    if (timeout.isZero()) {
      throw new IllegalArgumentException("COUPON_RESERVATION_TIMEOUT must be positive, not " + value);
    }
    return timeout;
  }

  private static IllegalArgumentException invalidTimeout(String value) {
    return new IllegalArgumentException(
        "COUPON_RESERVATION_TIMEOUT must be whole minutes (10) or a duration such as 30s, not " + value);
  }

  /** The tag of a coupon's events; the read-model and Kafka projections run one instance per tag. */
  public String tagFor(long couponId) {
    return couponTags.tagOf(couponId);
  }

  public List<String> tags() {
    return couponTags.tags();
  }
}
