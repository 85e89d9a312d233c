package couponservice.policy;

import couponservice.ErrorCode;
import couponservice.Outcome;
import couponservice.journal.JournalEvents;
import couponservice.journal.JournalIndex;
import couponservice.policy.CouponPolicy.CouponsIssued;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * What a policy issued as a coupon, and to whom, read from the issuance event that issued it: how a coupon entity
 * learns its terms without asking its policy. The journal holds that event from the moment the issue was answered.
 *
 * <p>Every issuance event is tagged with its first coupon ({@link #batchTag}); a batch's coupons are consecutive, so
 * the event of a coupon is the one with the greatest batch tag of its policy up to the coupon's own, one index
 * lookup. Events written without that tag (by the versions before it, up to a rolling upgrade's end) are found by
 * bisecting the policy's journal after the last tagged event below the coupon (issuance events hold ever higher
 * coupons). The batches found last are remembered (a bounded number): the coupons of one batch are often used one
 * after another, and an event never changes.
 */
public final class IssuedCoupons {
  private static final int REMEMBERED_BATCHES = 128;
  /** How the journal names an issuance event's type (Jackson's manifest: the class name). */
  private static final String ISSUANCE_MANIFEST = CouponsIssued.class.getName();

  private final JournalEvents journal;
  private final JournalIndex index;
  private final IssuanceTerms issuanceTerms;
  /** By the id of each batch's first coupon. */
  private final TreeMap<Long, Batch> remembered = new TreeMap<>();
  private final ArrayDeque<Long> rememberedOrder = new ArrayDeque<>();

  private IssuedCoupons(JournalEvents journal, JournalIndex index) {
    this.journal = journal;
    this.index = index;
    this.issuanceTerms = new IssuanceTerms(journal);
  }

  /** {@code database}: the journal's; {@code blocking}: where its index is queried. */
  public static IssuedCoupons inJournal(ActorSystem<?> system, DataSource database, Executor blocking) {
    return new IssuedCoupons(new JournalEvents(system), new JournalIndex(database, blocking));
  }

  /** The tag of an issuance event whose first coupon is {@code firstSequence}: fixed width, so tags sort by it. */
  public static String batchTag(long policyId, long firstSequence) {
    return String.format("issued-%07d-%09d", policyId, firstSequence);
  }

  /** The terms and owner of {@code couponId}, or COUPON_NOT_FOUND when its policy did not issue it. */
  public CompletionStage<Outcome<CouponTerms>> termsOf(long couponId) {
    if (!CouponIds.isWellFormed(couponId)) {
      return CompletableFuture.completedFuture(notFound(couponId));
    }
    Optional<Batch> known = remembered(couponId);
    if (known.isPresent()) {
      return CompletableFuture.completedFuture(Outcome.ok(known.get().coupon(couponId)));
    }
    long policyId = CouponIds.policyIdOf(couponId);
    long sequence = CouponIds.sequenceOf(couponId);
    String persistenceId = CouponPolicy.persistenceId(policyId).id();
    return index.greatestTagged(batchTag(policyId, 0), batchTag(policyId, sequence))
        .thenCompose(tagged -> tagged.isEmpty()
            ? untaggedIssuance(persistenceId, sequence, 1)
            : journal.event(persistenceId, tagged.get().sequenceNr()).thenApply(IssuedCoupons::issuance)
                .thenCompose(event -> event.isPresent() && holds(event.get(), sequence)
                    ? CompletableFuture.completedFuture(event)
                    : untaggedIssuance(persistenceId, sequence, tagged.get().sequenceNr() + 1)))
        .thenCompose(event -> event.isEmpty()
            ? CompletableFuture.completedFuture(notFound(couponId))
            : issuanceTerms.of(event.get()).thenApply(terms -> Outcome.ok(remember(event.get(), terms).coupon(couponId))));
  }

  private static <T> Outcome<T> notFound(long couponId) {
    return Outcome.rejected(ErrorCode.COUPON_NOT_FOUND, "coupon " + couponId + " does not exist");
  }

  private static Optional<CouponsIssued> issuance(Optional<Object> event) {
    return event.filter(CouponsIssued.class::isInstance).map(CouponsIssued.class::cast);
  }

  private static boolean holds(CouponsIssued event, long sequence) {
    return sequence >= event.firstSequence() && sequence < event.firstSequence() + event.userIds().size();
  }

  // ---- events written without the batch tag ----

  /** The event holding {@code sequence} among the untagged ones from sequence number {@code from} on, if one does. */
  private CompletionStage<Optional<CouponsIssued>> untaggedIssuance(String persistenceId, long sequence, long from) {
    return index.highestSequenceNr(persistenceId).thenCompose(highest -> bisect(persistenceId, sequence, from, highest));
  }

  /**
   * The issuance event holding {@code sequence} among the policy's events {@code low} to {@code high}. Each step
   * reads the first issuance event from the middle on (other events, such as keyed refusals once sold out, can be
   * many and are skipped by the query).
   */
  private CompletionStage<Optional<CouponsIssued>> bisect(String persistenceId, long sequence, long low, long high) {
    if (low > high) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    long middle = low + (high - low) / 2;
    return index.firstWithManifest(persistenceId, middle, high, ISSUANCE_MANIFEST).thenCompose(next -> next.isEmpty()
        ? bisect(persistenceId, sequence, low, middle - 1)
        : journal.event(persistenceId, next.getAsLong()).thenCompose(event -> {
          CouponsIssued issued = (CouponsIssued) event.orElseThrow();
          if (sequence < issued.firstSequence()) {
            return bisect(persistenceId, sequence, low, middle - 1);
          }
          return holds(issued, sequence)
              ? CompletableFuture.completedFuture(Optional.of(issued))
              : bisect(persistenceId, sequence, next.getAsLong() + 1, high);
        }));
  }

  // ---- the batches found last ----

  /** The coupons of one issuance event. */
  private record Batch(long policyId, long firstSequence, long[] owners, Instant issuedAt, IssuedTerms terms) {
    boolean holds(long couponId) {
      long sequence = CouponIds.sequenceOf(couponId);
      return CouponIds.policyIdOf(couponId) == policyId && sequence >= firstSequence
          && sequence < firstSequence + owners.length;
    }

    CouponTerms coupon(long couponId) {
      return terms.coupon(couponId, policyId, owners[(int) (CouponIds.sequenceOf(couponId) - firstSequence)], issuedAt);
    }
  }

  private synchronized Optional<Batch> remembered(long couponId) {
    Map.Entry<Long, Batch> floor = remembered.floorEntry(couponId);
    return floor == null || !floor.getValue().holds(couponId) ? Optional.empty() : Optional.of(floor.getValue());
  }

  private Batch remember(CouponsIssued event, IssuedTerms terms) {
    Batch batch = new Batch(event.policyId(), event.firstSequence(),
        event.userIds().stream().mapToLong(Long::longValue).toArray(), event.issuedAt(), terms);
    synchronized (this) {
      if (remembered.put(event.couponIdAt(0), batch) == null) {
        rememberedOrder.addLast(event.couponIdAt(0));
        if (rememberedOrder.size() > REMEMBERED_BATCHES) {
          remembered.remove(rememberedOrder.removeFirst());
        }
      }
    }
    return batch;
  }
}
