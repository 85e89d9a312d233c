package couponservice.coupon;

import couponservice.coupon.Coupon.TermsRecorded;
import couponservice.journal.JournalEvents;
import couponservice.policy.CouponTerms;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A coupon's terms, for a consumer of its events: the coupon's first event records them ({@link TermsRecorded}).
 * Those seen in the event stream are remembered (a bounded number); any other is read from the coupon's journal.
 */
public final class RecordedTerms {
  private final JournalEvents journal;
  private final Map<Long, CouponTerms> recent;

  public RecordedTerms(JournalEvents journal, int capacity) {
    this.journal = journal;
    this.recent = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, CouponTerms> eldest) {
        return size() > capacity;
      }
    };
  }

  public synchronized void recorded(TermsRecorded event) {
    recent.put(event.couponId(), event.terms());
  }

  public CompletionStage<CouponTerms> of(long couponId) {
    CouponTerms known;
    synchronized (this) {
      known = recent.get(couponId);
    }
    if (known != null) {
      return CompletableFuture.completedFuture(known);
    }
    return journal.first(Coupon.persistenceId(couponId).id()).thenApply(first -> {
      TermsRecorded recorded = first.filter(TermsRecorded.class::isInstance).map(TermsRecorded.class::cast)
          .orElseThrow(() -> new IllegalStateException("coupon " + couponId + " has no recorded terms"));
      recorded(recorded);
      return recorded.terms();
    });
  }
}
