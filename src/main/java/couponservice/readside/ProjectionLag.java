package couponservice.readside;

import couponservice.metrics.CouponMetrics;
import java.util.List;
import org.apache.pekko.projection.eventsourced.EventEnvelope;

/** Records how far behind the journal a projection is, from the newest event of a group it handled. */
public final class ProjectionLag {
  private ProjectionLag() {}

  public static void observe(String projection, List<? extends EventEnvelope<?>> envelopes) {
    if (!envelopes.isEmpty()) {
      long writtenAt = envelopes.get(envelopes.size() - 1).timestamp();
      CouponMetrics.PROJECTION_LAG.labelValues(projection)
          .observe(Math.max(0, System.currentTimeMillis() - writtenAt) / 1000.0);
    }
  }
}
