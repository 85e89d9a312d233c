package couponservice.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import couponservice.ErrorCode;
import couponservice.policy.PolicyHistory.Entry;
import couponservice.policy.PolicyHistory.EntryType;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Which policy events a history lists, as what, and how a page of them ends. */
class PolicyHistoryTest {
  private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");
  private static final PolicyDefinition DEFINITION = new PolicyDefinition("Spring", "SPRING", DiscountType.FIXED_AMOUNT,
      BigDecimal.valueOf(1000), null, null, DistributionType.DOWNLOAD, 100L, 1, 30, null,
      Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-12-31T00:00:00Z"), null);

  private static CouponPolicy.CouponsIssued issued(int coupons, IssueOrigin origin) {
    List<Long> users = LongStream.rangeClosed(1, coupons).boxed().toList();
    return new CouponPolicy.CouponsIssued(1, 1, T, users, List.of(), null, null, origin, null);
  }

  @Test
  void eachAdministrativeEventIsAnEntryWithWhoAndWhy() {
    assertEquals(new Entry(T, EntryType.CREATED, "alice", null, DEFINITION),
        PolicyHistory.entryOf(new CouponPolicy.PolicyCreated(1, DEFINITION, T, "alice")).orElseThrow());
    assertEquals(new Entry(T, EntryType.DEACTIVATED, "bob", null, Map.of()),
        PolicyHistory.entryOf(new CouponPolicy.PolicyActivationChanged(1, false, T, "bob")).orElseThrow());
    assertEquals(new Entry(T, EntryType.ACTIVATED, "bob", null, Map.of()),
        PolicyHistory.entryOf(new CouponPolicy.PolicyActivationChanged(1, true, T, "bob")).orElseThrow());
    assertEquals(new Entry(T, EntryType.MAX_ISSUE_COUNT_CHANGED, "ops", "more stock",
            new PolicyHistory.StockChange(null, 500)),
        PolicyHistory.entryOf(new CouponPolicy.MaxIssueCountChanged(1, null, 500, "ops", "more stock", T)).orElseThrow());
    assertEquals(new Entry(T, EntryType.DIRECT_ISSUED, "crm", null, new PolicyHistory.DirectIssue(3, "req-7")),
        PolicyHistory.entryOf(issued(3, IssueOrigin.direct("crm", "req-7"))).orElseThrow());
    assertEquals(new Entry(T, EntryType.JOB_STARTED, "crm", null, new PolicyHistory.JobStart("42", "Winter VIP", 1000)),
        PolicyHistory.entryOf(new CouponPolicy.IssuanceJobStarted(1, "42", "Winter VIP", "crm", 1000, T)).orElseThrow());
    assertEquals(new Entry(T, EntryType.JOB_COMPLETED, null, null, new PolicyHistory.JobEnd("42", "COMPLETED", 990, 10)),
        PolicyHistory.entryOf(new CouponPolicy.IssuanceJobEnded(1, "42", "COMPLETED", 990, 10, T)).orElseThrow());
  }

  @Test
  void aJobsChunksAreNotListedOneByOne() {
    assertTrue(PolicyHistory.entryOf(issued(1000, IssueOrigin.jobChunk("42", 3, "crm", "req-9"))).isEmpty());
  }

  @Test
  void singleIssuancesAreNotListed() {
    assertTrue(PolicyHistory.entryOf(issued(5, IssueOrigin.REQUESTS)).isEmpty());
    assertTrue(PolicyHistory.entryOf(issued(1, null)).isEmpty(), "a batch written before origins were recorded");
  }

  @Test
  void refusalsRecordedForIdempotencyKeyRetriesAreNotListed() {
    assertTrue(PolicyHistory.entryOf(new CouponPolicy.KeyedRefusalsRecorded(1, T,
        List.of(new CouponPolicy.KeyedRefusal(7, "k-1", ErrorCode.COUPON_SOLD_OUT, "sold out")))).isEmpty());
  }

  @Test
  void eventsWrittenBeforeWhoWasRecordedHaveNoBy() {
    assertNull(PolicyHistory.entryOf(new CouponPolicy.PolicyCreated(1, DEFINITION, T, null)).orElseThrow().by());
    assertNull(PolicyHistory.entryOf(new CouponPolicy.PolicyActivationChanged(1, true, T, null)).orElseThrow().by());
  }

  @Test
  void aFullPageContinuesAfterItsLastEntry() {
    PolicyHistory.Scan scan = new PolicyHistory.Scan(2);
    scan.add(1, new CouponPolicy.PolicyCreated(1, DEFINITION, T, "alice"));
    scan.add(2, issued(1, IssueOrigin.REQUESTS));
    scan.add(3, new CouponPolicy.PolicyActivationChanged(1, false, T, "bob"));
    scan.add(4, issued(1, IssueOrigin.REQUESTS));
    assertFalse(scan.isFull());
    scan.add(5, new CouponPolicy.PolicyActivationChanged(1, true, T, "bob"));
    assertTrue(scan.isFull(), "a third entry beyond the limit of 2");
    PolicyHistory.Page page = scan.page();
    assertEquals(List.of(EntryType.CREATED, EntryType.DEACTIVATED), page.entries().stream().map(Entry::type).toList());
    assertEquals(3L, page.continueAfter(), "after the last listed entry, not after the events skipped beyond it");
  }

  @Test
  void theJournalsEndIsTheLastPage() {
    PolicyHistory.Scan scan = new PolicyHistory.Scan(2);
    scan.add(7, new CouponPolicy.PolicyActivationChanged(1, false, T, "bob"));
    scan.add(8, issued(1, IssueOrigin.REQUESTS));
    assertNull(scan.page().continueAfter());
    assertEquals(1, scan.page().entries().size());
  }

  @Test
  void aPageReadsAtMostItsBoundOfEventsAndContinuesAfterTheLastOneRead() {
    PolicyHistory.Scan scan = new PolicyHistory.Scan(20);
    for (long sequenceNr = 1; sequenceNr <= PolicyHistory.MAX_EVENTS_PER_PAGE; sequenceNr++) {
      scan.add(sequenceNr, issued(1, IssueOrigin.REQUESTS));
    }
    assertTrue(scan.page().entries().isEmpty());
    assertEquals((long) PolicyHistory.MAX_EVENTS_PER_PAGE, scan.page().continueAfter());
  }
}
