package couponservice.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * What happened to a policy, for operators, read straight from its journal, oldest first: its creation, activation
 * changes, stock changes, direct issues and bulk jobs — who did it and why, where the event recorded that. Single issuances
 * are not listed (statistics count them), nor the refusals recorded for Idempotency-Key retries. Events written before
 * who and why were recorded show them as null.
 */
public final class PolicyHistory {
  /** Journal rows one page reads at most: a page of a policy with many single issuances may end short. */
  static final int MAX_EVENTS_PER_PAGE = 10_000;

  public enum EntryType {
    CREATED,
    ACTIVATED,
    DEACTIVATED,
    MAX_ISSUE_COUNT_CHANGED,
    DIRECT_ISSUED,
    JOB_STARTED,
    JOB_COMPLETED
  }

  /** {@code details}: what the entry's type tells beyond who and why (see {@link #entryOf}). */
  public record Entry(Instant at, EntryType type, String by, String reason, Object details) {}

  public record StockChange(Long previousMaxIssueCount, long newMaxIssueCount) {}

  /** {@code requestId}: the X-Request-Id of the direct-issue request. */
  public record DirectIssue(int count, String requestId) {}

  public record JobStart(String jobId, String name, long totalRequested) {}

  /** {@code status}: COMPLETED, or CANCELLED when the job was cancelled before its end. */
  public record JobEnd(String jobId, String status, long successCount, long failureCount) {}

  /** One page; {@code continueAfter}: the journal sequence number the next page starts after, null on the last. */
  public record Page(List<Entry> entries, Long continueAfter) {}

  private final ActorSystem<?> system;
  private final JdbcReadJournal journal;

  public PolicyHistory(ActorSystem<?> system) {
    this.system = system;
    this.journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
  }

  /**
   * The entries after journal sequence number {@code after}, at most {@code limit}; empty when the policy has no
   * journal at all (it does not exist).
   */
  public CompletionStage<Optional<Page>> page(long policyId, long after, int limit) {
    String persistenceId = CouponPolicy.persistenceId(policyId).id();
    return journal.currentEventsByPersistenceId(persistenceId, after + 1, Long.MAX_VALUE)
        .take(MAX_EVENTS_PER_PAGE)
        // One Scan per request, filled in place as the journal is read.
        .scan(new Scan(limit), (scan, envelope) -> scan.add(envelope.sequenceNr(), (CouponPolicy.Event) envelope.event()))
        .takeWhile(scan -> !scan.isFull(), true)
        .runWith(Sink.last(), system)
        .thenCompose(scan -> {
          if (scan.scanned() > 0) {
            return CompletableFuture.completedFuture(Optional.of(scan.page()));
          }
          // Nothing after `after`: past the last entry of the policy, or there is no such policy.
          CompletionStage<Boolean> exists = after == 0 ? CompletableFuture.completedFuture(false) : exists(persistenceId);
          return exists.thenApply(found -> found ? Optional.of(scan.page()) : Optional.empty());
        });
  }

  private CompletionStage<Boolean> exists(String persistenceId) {
    return journal.currentEventsByPersistenceId(persistenceId, 1, 1)
        .runWith(Sink.headOption(), system)
        .thenApply(Optional::isPresent);
  }

  /**
   * The entry an event is listed as, if it is listed. One case per event type: a new event that belongs in the
   * history is one more case here.
   */
  static Optional<Entry> entryOf(CouponPolicy.Event event) {
    if (event instanceof CouponPolicy.PolicyCreated created) {
      return entry(created.createdAt(), EntryType.CREATED, created.createdBy(), null, created.definition());
    }
    if (event instanceof CouponPolicy.PolicyActivationChanged changed) {
      return entry(changed.at(), changed.active() ? EntryType.ACTIVATED : EntryType.DEACTIVATED, changed.changedBy(),
          null, Map.of());
    }
    if (event instanceof CouponPolicy.MaxIssueCountChanged changed) {
      return entry(changed.at(), EntryType.MAX_ISSUE_COUNT_CHANGED, changed.modifiedBy(), changed.reason(),
          new StockChange(changed.previousMaxIssueCount(), changed.newMaxIssueCount()));
    }
    if (event instanceof CouponPolicy.CouponsIssued issued
        && issued.originOrRequests().kind() == IssueOrigin.Kind.DIRECT) {
      return entry(issued.issuedAt(), EntryType.DIRECT_ISSUED, issued.origin().issuedBy(), null,
          new DirectIssue(issued.userIds().size(), issued.origin().correlationId()));
    }
    if (event instanceof CouponPolicy.IssuanceJobStarted started) {
      return entry(started.at(), EntryType.JOB_STARTED, started.issuedBy(), null,
          new JobStart(started.jobId(), started.name(), started.totalRequested()));
    }
    if (event instanceof CouponPolicy.IssuanceJobEnded ended) {
      return entry(ended.at(), EntryType.JOB_COMPLETED, null, null,
          new JobEnd(ended.jobId(), ended.status(), ended.successCount(), ended.failureCount()));
    }
    return Optional.empty();
  }

  private static Optional<Entry> entry(Instant at, EntryType type, String by, String reason, Object details) {
    return Optional.of(new Entry(at, type, by, reason, details));
  }

  /** The journal read so far for one page: the entries found, and where the page ends. */
  static final class Scan {
    private final int limit;
    private final List<Entry> entries = new ArrayList<>();
    private long lastEntrySequenceNr;
    private long lastScannedSequenceNr;
    private int scanned;
    private boolean full;

    Scan(int limit) {
      this.limit = limit;
    }

    /** Adds the event at {@code sequenceNr}; one listed entry beyond {@code limit} only marks the page as full. */
    Scan add(long sequenceNr, CouponPolicy.Event event) {
      scanned++;
      lastScannedSequenceNr = sequenceNr;
      Optional<Entry> entry = entryOf(event);
      if (entry.isPresent()) {
        if (entries.size() < limit) {
          entries.add(entry.get());
          lastEntrySequenceNr = sequenceNr;
        } else {
          full = true;
        }
      }
      return this;
    }

    boolean isFull() {
      return full;
    }

    int scanned() {
      return scanned;
    }

    /** A next page when an entry was left over, or the scan stopped at its bound before the journal's end. */
    Page page() {
      Long continueAfter = full ? Long.valueOf(lastEntrySequenceNr)
          : scanned >= MAX_EVENTS_PER_PAGE ? Long.valueOf(lastScannedSequenceNr) : null;
      return new Page(List.copyOf(entries), continueAfter);
    }
  }
}
