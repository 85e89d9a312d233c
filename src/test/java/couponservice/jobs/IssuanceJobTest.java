package couponservice.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import couponservice.ErrorCode;
import couponservice.Outcome;
import couponservice.policy.DirectIssueResult;
import couponservice.policy.PolicyView;
import couponservice.testkit.TestClock;
import couponservice.testkit.EntityTestConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The job entity's protocol with its policy, one step at a time, on the persistence testkit's in-memory journal: the
 * test answers each of the job's asks itself, in the order it chooses, so that retries, a cancel during an
 * unresolved chunk and a restart mid-chunk happen exactly where the test puts them.
 */
class IssuanceJobTest {
  private static final ActorTestKit testKit = ActorTestKit.create(EntityTestConfig.inMemoryPersistence());
  private static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  private static final SnapshotTestKit snapshots = SnapshotTestKit.create(testKit.system());
  private static final Duration SUBMISSION_TIMEOUT = Duration.ofMinutes(5);
  private static final JobSettings SETTINGS = new JobSettings(2, Duration.ofSeconds(5), Duration.ofMillis(20),
      Duration.ofMillis(40), Duration.ofSeconds(30), 1, Duration.ofMinutes(2), SUBMISSION_TIMEOUT,
      Duration.ofMinutes(1), Duration.ofHours(25));
  /** Ids drawn now, with room for the tests' own low bits: a job takes its users only soon after its id's time. */
  private static final long ID_BASE = JobIds.next(Clock.systemUTC()) & ~1023L;
  private static final Duration QUIET = Duration.ofMillis(200);

  private final PolicyScript policy = new PolicyScript();
  private final TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** One ask of the job to its policy, answered by the test. */
  private record Call(String kind, long chunk, List<Long> userIds, CompletableFuture<Outcome<?>> answer) {
    @SuppressWarnings("unchecked")
    <T> CompletionStage<Outcome<T>> stage() {
      return answer.thenApply(outcome -> (Outcome<T>) outcome);
    }
  }

  private static final class PolicyScript implements IssuanceJob.PolicyCalls {
    private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();

    private <T> CompletionStage<Outcome<T>> call(String kind, long chunk, List<Long> userIds) {
      Call call = new Call(kind, chunk, userIds, new CompletableFuture<>());
      calls.add(call);
      return call.stage();
    }

    @Override
    public CompletionStage<Outcome<DirectIssueResult>> issueChunk(long policyId, long jobId, long chunk,
        List<Long> userIds, String issuedBy, String correlationId) {
      return call("chunk", chunk, userIds);
    }

    @Override
    public CompletionStage<Outcome<PolicyView>> recordStarted(long policyId, long jobId, String name, String issuedBy,
        long totalRequested) {
      return call("started", -1, List.of());
    }

    @Override
    public CompletionStage<Outcome<PolicyView>> recordEnded(long policyId, long jobId, JobStatus status,
        long successCount, long failureCount) {
      return call("ended " + status + " " + successCount + "/" + failureCount, -1, List.of());
    }

    Call next(String kind) {
      try {
        Call call = calls.poll(5, TimeUnit.SECONDS);
        assertEquals(kind, call == null ? null : call.kind(), "the job's next ask of its policy");
        return call;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    Call nextChunk(long chunk, List<Long> userIds) {
      Call call = next("chunk");
      assertEquals(chunk, call.chunk());
      assertEquals(userIds, call.userIds());
      return call;
    }

    void assertNoCall() throws InterruptedException {
      assertNull(calls.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS), "no further ask");
    }
  }

  private static long jobId(int n) {
    return ID_BASE | n;
  }

  private ActorRef<IssuanceJob.Command> spawn(long jobId) {
    return spawn(jobId, Clock.systemUTC());
  }

  private ActorRef<IssuanceJob.Command> spawn(long jobId, Clock clock) {
    return testKit.spawn(IssuanceJob.create(jobId, SETTINGS, policy, clock, shard.ref()));
  }

  /** A running job of users 1..{@code users}, its start recorded by the policy. */
  private ActorRef<IssuanceJob.Command> running(long jobId, int users) {
    return running(jobId, users, Clock.systemUTC());
  }

  private ActorRef<IssuanceJob.Command> running(long jobId, int users, Clock clock) {
    ActorRef<IssuanceJob.Command> job = spawn(jobId, clock);
    long[] ids = new long[users];
    for (int i = 0; i < users; i++) {
      ids[i] = i + 1;
    }
    TestProbe<Outcome<Integer>> added = testKit.createTestProbe();
    job.tell(new IssuanceJob.AddUsers("s", 0, ids, added.ref()));
    assertEquals(Outcome.ok(users), added.receiveMessage());
    TestProbe<Outcome<JobView>> started = testKit.createTestProbe();
    job.tell(new IssuanceJob.Start("s", 9, "test", "crm", users, "req-1", started.ref()));
    assertEquals(JobStatus.RUNNING, ok(started.receiveMessage()).status());
    policy.next("started").answer().complete(Outcome.ok(null));
    return job;
  }

  private static DirectIssueResult result(DirectIssueResult.Entry... entries) {
    long issued = List.of(entries).stream().filter(e -> e.couponId() != null).count();
    return new DirectIssueResult(entries.length, (int) issued, entries.length - (int) issued, List.of(entries));
  }

  private static DirectIssueResult.Entry issued(long userId) {
    return new DirectIssueResult.Entry(userId, 1_000 + userId, "SUCCESS", null);
  }

  private static DirectIssueResult.Entry refused(long userId, ErrorCode code) {
    return new DirectIssueResult.Entry(userId, null, "FAILED", code);
  }

  private static JobView ok(Outcome<JobView> outcome) {
    if (outcome instanceof Outcome.Ok<JobView> ok) {
      return ok.value();
    }
    throw new AssertionError("expected a job, got " + outcome);
  }

  private JobView get(ActorRef<IssuanceJob.Command> job) {
    TestProbe<Outcome<JobView>> reply = testKit.createTestProbe();
    job.tell(new IssuanceJob.Get(reply.ref()));
    return ok(reply.receiveMessage());
  }

  @Test
  void theFirstPartClaimsTheJobIdAndAJobStartsOnlyWithAllItsUsers() {
    ActorRef<IssuanceJob.Command> job = spawn(jobId(1));
    TestProbe<Outcome<Integer>> added = testKit.createTestProbe();
    TestProbe<Outcome<JobView>> answered = testKit.createTestProbe();
    job.tell(new IssuanceJob.AddUsers("a", 0, new long[] {1, 2}, added.ref()));
    assertEquals(Outcome.ok(2), added.receiveMessage());
    job.tell(new IssuanceJob.AddUsers("b", 0, new long[] {3}, added.ref()));
    assertEquals(ErrorCode.CONCURRENT_MODIFICATION, ((Outcome.Rejected<Integer>) added.receiveMessage()).code());
    job.tell(new IssuanceJob.Get(answered.ref()));
    assertEquals(ErrorCode.JOB_NOT_FOUND, ((Outcome.Rejected<JobView>) answered.receiveMessage()).code());
    job.tell(new IssuanceJob.AddUsers("a", 0, new long[] {1, 2}, added.ref()));
    assertEquals(Outcome.ok(2), added.receiveMessage(), "a repeated part is taken once");
    job.tell(new IssuanceJob.Start("a", 9, null, "crm", 3, "req", answered.ref()));
    assertEquals(ErrorCode.VALIDATION_FAILED, ((Outcome.Rejected<JobView>) answered.receiveMessage()).code());
    job.tell(new IssuanceJob.Start("a", 9, null, "crm", 2, "req", answered.ref()));
    assertEquals(2, ok(answered.receiveMessage()).totalRequested());
    job.tell(new IssuanceJob.Start("a", 9, null, "crm", 2, "req", answered.ref()));
    assertEquals(JobStatus.RUNNING, ok(answered.receiveMessage()).status(), "a repeated start answers the job");
  }

  @Test
  void aChunkWhoseAskFailedIsAskedAgainAndACancelWaitsForItsOutcome() throws Exception {
    ActorRef<IssuanceJob.Command> job = running(jobId(2), 5);
    policy.nextChunk(0, List.of(1L, 2L)).answer().completeExceptionally(new TimeoutException("ask timed out"));
    Call retried = policy.nextChunk(0, List.of(1L, 2L));

    TestProbe<Outcome<JobView>> cancelled = testKit.createTestProbe();
    job.tell(new IssuanceJob.Cancel(Instant.now().plusSeconds(5), cancelled.ref()));
    cancelled.expectNoMessage(QUIET);
    retried.answer().complete(Outcome.ok(result(issued(1), refused(2, ErrorCode.COUPON_SOLD_OUT))));

    JobView view = ok(cancelled.receiveMessage());
    assertEquals(JobStatus.CANCELLED, view.status());
    assertEquals(2, view.processed(), "the chunk that was under way is counted");
    assertEquals(1, view.successCount());
    assertEquals(Map.of("COUPON_SOLD_OUT", 1L), view.failuresByCode());
    policy.next("ended CANCELLED 1/1").answer().complete(Outcome.ok(null));
    policy.assertNoCall();
    List<Class<?>> events = journal.persistedInStorage("IssuanceJob|" + jobId(2)).stream()
        .<Class<?>>map(Object::getClass).toList();
    assertEquals(List.of(IssuanceJob.UsersAdded.class, IssuanceJob.JobStarted.class, IssuanceJob.ChunkProcessed.class,
        IssuanceJob.JobEnded.class), events);
  }

  @Test
  void aCancelBeforeAnyChunkEndsTheJobAtOnce() throws Exception {
    ActorRef<IssuanceJob.Command> job = spawn(jobId(3));
    TestProbe<Outcome<Integer>> added = testKit.createTestProbe();
    job.tell(new IssuanceJob.AddUsers("s", 0, new long[] {1, 2, 3}, added.ref()));
    added.receiveMessage();
    TestProbe<Outcome<JobView>> answered = testKit.createTestProbe();
    job.tell(new IssuanceJob.Start("s", 9, null, "crm", 3, "req", answered.ref()));
    answered.receiveMessage();
    Call started = policy.next("started");

    job.tell(new IssuanceJob.Cancel(Instant.now().plusSeconds(5), answered.ref()));
    JobView view = ok(answered.receiveMessage());
    assertEquals(JobStatus.CANCELLED, view.status());
    assertEquals(0, view.processed());
    started.answer().complete(Outcome.ok(null));
    policy.next("ended CANCELLED 0/0").answer().complete(Outcome.ok(null));
    policy.assertNoCall();
    job.tell(new IssuanceJob.Cancel(Instant.now().plusSeconds(5), answered.ref()));
    assertEquals(view, ok(answered.receiveMessage()), "a cancel after the end answers the job as it is");
  }

  @Test
  void aCancelWhoseCallerStoppedWaitingIsDropped() throws Exception {
    ActorRef<IssuanceJob.Command> job = running(jobId(5), 6);
    policy.nextChunk(0, List.of(1L, 2L)).answer().complete(Outcome.ok(result(issued(1), issued(2))));
    Call second = policy.nextChunk(1, List.of(3L, 4L));
    TestProbe<Outcome<JobView>> cancelled = testKit.createTestProbe();
    // Its caller was answered 503 ("nothing changed") before the chunk under way was resolved.
    job.tell(new IssuanceJob.Cancel(Instant.now().minusSeconds(1), cancelled.ref()));
    second.answer().complete(Outcome.ok(result(issued(3), issued(4))));
    cancelled.expectNoMessage(QUIET);
    policy.nextChunk(2, List.of(5L, 6L)).answer().complete(Outcome.ok(result(issued(5), issued(6))));
    policy.next("ended COMPLETED 6/0").answer().complete(Outcome.ok(null));
    assertEquals(JobStatus.COMPLETED, get(job).status());
  }

  @Test
  void aJobRestartedMidChunkResumesAtItsCursorAndAsksThatChunkAgain() throws Exception {
    ActorRef<IssuanceJob.Command> job = running(jobId(4), 5);
    policy.nextChunk(0, List.of(1L, 2L)).answer().complete(Outcome.ok(result(issued(1), issued(2))));
    policy.nextChunk(1, List.of(3L, 4L));
    testKit.stop(job);

    ActorRef<IssuanceJob.Command> restarted = spawn(jobId(4));
    policy.next("started").answer().complete(Outcome.ok(null));
    policy.nextChunk(1, List.of(3L, 4L)).answer().complete(Outcome.ok(result(issued(3),
        refused(4, ErrorCode.COUPON_ALREADY_ISSUED))));
    policy.nextChunk(2, List.of(5L)).answer().complete(Outcome.ok(result(issued(5))));
    policy.next("ended COMPLETED 4/1").answer().complete(Outcome.ok(null));
    JobView view = get(restarted);
    assertEquals(JobStatus.COMPLETED, view.status());
    assertEquals(5, view.processed());
    assertEquals(Map.of("COUPON_ALREADY_ISSUED", 1L), view.failuresByCode());

    List<IssuanceJob.ChunkProcessed> chunks = new ArrayList<>();
    journal.persistedInStorage("IssuanceJob|" + jobId(4)).forEach(event -> {
      if (event instanceof IssuanceJob.ChunkProcessed chunk) {
        chunks.add(chunk);
      }
    });
    assertEquals(List.of(0L, 1L, 2L), chunks.stream().map(IssuanceJob.ChunkProcessed::chunk).toList(),
        "each chunk recorded once");
    assertEquals(List.of(0, 2, 4), chunks.stream().map(IssuanceJob.ChunkProcessed::firstPosition).toList());

    // Ended, it comes back from its snapshot (without its user list), and only makes sure the policy recorded the end.
    assertEquals(List.of(JobState.Ended.class), snapshots.persistedInStorage("IssuanceJob|" + jobId(4)).stream()
        .<Class<?>>map(snapshot -> snapshot.second().getClass()).toList());
    testKit.stop(restarted);
    ActorRef<IssuanceJob.Command> again = spawn(jobId(4));
    policy.next("ended COMPLETED 4/1").answer().complete(Outcome.ok(null));
    assertEquals(view, get(again));
    policy.assertNoCall();
  }

  @Test
  void anIdPastItsSubmissionTimeoutIsGivenUpForGoodAndNoJobStartsUnderIt() throws Exception {
    long jobId = jobId(6);
    TestClock clock = new TestClock(JobIds.drawnAt(jobId).plusSeconds(1));
    ActorRef<IssuanceJob.Command> job = spawn(jobId, clock);
    TestProbe<Outcome<Integer>> added = testKit.createTestProbe();
    TestProbe<Outcome<JobView>> answered = testKit.createTestProbe();
    job.tell(new IssuanceJob.AddUsers("s", 0, new long[] {1, 2}, added.ref()));
    assertEquals(Outcome.ok(2), added.receiveMessage());

    clock.advance(SUBMISSION_TIMEOUT);
    job.tell(new IssuanceJob.AddUsers("s", 1, new long[] {3}, added.ref()));
    assertEquals(ErrorCode.CONCURRENT_MODIFICATION, refusal(added.receiveMessage()).code(),
        "a part after the timeout: the submitter draws another id");
    job.tell(new IssuanceJob.Start("s", 9, null, "crm", 2, "req", answered.ref()));
    assertEquals(ErrorCode.CONCURRENT_MODIFICATION, refusal(answered.receiveMessage()).code());
    job.tell(new IssuanceJob.Get(answered.ref()));
    assertEquals(ErrorCode.JOB_NOT_FOUND, refusal(answered.receiveMessage()).code());

    // Given up durably: restarted on a node whose clock is behind, the id still takes nothing.
    testKit.stop(job);
    clock.set(JobIds.drawnAt(jobId).plusSeconds(2));
    ActorRef<IssuanceJob.Command> restarted = spawn(jobId, clock);
    restarted.tell(new IssuanceJob.Start("s", 9, null, "crm", 2, "req", answered.ref()));
    assertEquals(ErrorCode.CONCURRENT_MODIFICATION, refusal(answered.receiveMessage()).code());
    restarted.tell(new IssuanceJob.AddUsers("t", 0, new long[] {4}, added.ref()));
    assertEquals(ErrorCode.CONCURRENT_MODIFICATION, refusal(added.receiveMessage()).code());
    assertEquals(List.of(IssuanceJob.UsersAdded.class, IssuanceJob.SubmissionExpired.class),
        journal.persistedInStorage("IssuanceJob|" + jobId).stream().<Class<?>>map(Object::getClass).toList());
    policy.assertNoCall();
  }

  @Test
  void aFirstPartForAnOldIdIsRefusedAndAStartedJobKeepsAnsweringItsSubmission() throws Exception {
    long oldId = jobId(7);
    TestClock clock = new TestClock(JobIds.drawnAt(oldId).plus(SUBMISSION_TIMEOUT).plusMillis(1));
    TestProbe<Outcome<Integer>> added = testKit.createTestProbe();
    spawn(oldId, clock).tell(new IssuanceJob.AddUsers("s", 0, new long[] {1}, added.ref()));
    assertEquals(ErrorCode.CONCURRENT_MODIFICATION, refusal(added.receiveMessage()).code());

    // A retry of a submission that started answers the job, however late: the timeout is about starting only.
    clock.set(JobIds.drawnAt(jobId(8)).plusSeconds(1));
    ActorRef<IssuanceJob.Command> job = running(jobId(8), 2, clock);
    policy.nextChunk(0, List.of(1L, 2L));
    clock.advance(Duration.ofHours(24));
    TestProbe<Outcome<JobView>> answered = testKit.createTestProbe();
    job.tell(new IssuanceJob.AddUsers("s", 0, new long[] {1, 2}, added.ref()));
    assertEquals(Outcome.ok(2), added.receiveMessage());
    job.tell(new IssuanceJob.Start("s", 9, "test", "crm", 2, "req-2", answered.ref()));
    assertEquals(jobId(8), ok(answered.receiveMessage()).jobId());
  }

  private static <T> Outcome.Rejected<T> refusal(Outcome<T> outcome) {
    if (outcome instanceof Outcome.Rejected<T> rejected) {
      return rejected;
    }
    throw new AssertionError("expected a refusal, got " + outcome);
  }
}
