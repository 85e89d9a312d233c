package couponservice.jobs;

import couponservice.EntityAnswers;
import couponservice.ErrorCode;
import couponservice.Outcome;
import couponservice.policy.CouponPolicy;
import couponservice.policy.DirectIssueResult;
import couponservice.policy.Policies;
import couponservice.policy.PolicyView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.japi.function.Function;

/**
 * The bulk issuance job feature on a node: the job entities, sharded, and what the API asks of them — submitting a
 * job (its user list in parts, then the start), reading and cancelling one.
 */
public final class IssuanceJobs {
  /** Users per {@link IssuanceJob.AddUsers}: 50,000 ids are at most 450 KB of CBOR, well inside a 2 MiB frame. */
  static final int PART_SIZE = 50_000;
  /** Job ids drawn before giving up, should each one be taken by a job submitted in the same millisecond. */
  private static final int ID_ATTEMPTS = 3;

  private final ClusterSharding sharding;
  private final Clock clock;
  private final Duration askTimeout;
  private final Executor dispatcher;

  private IssuanceJobs(ClusterSharding sharding, Clock clock, Duration askTimeout, Executor dispatcher) {
    this.sharding = sharding;
    this.clock = clock;
    this.askTimeout = askTimeout;
    this.dispatcher = dispatcher;
  }

  /** {@code askTimeout}: how long an API request waits for a job entity. */
  public static IssuanceJobs start(ActorSystem<?> system, JobSettings settings, Policies policies, Clock clock,
      Duration askTimeout) {
    IssuanceJob.init(system, settings, new JobPolicyCalls(policies, settings.policyAskTimeout()), clock);
    return new IssuanceJobs(ClusterSharding.get(system), clock, askTimeout, system.executionContext());
  }

  /**
   * Submits a job: its users in parts, each durable in the new job's journal, then its start. Answered once the job
   * is running, so a 202 never loses it; a job whose submission failed halfway never starts.
   */
  public CompletionStage<Outcome<JobView>> submit(JobSubmission submission, String requestId) {
    return submitAs(JobIds.next(clock), submission, requestId, ID_ATTEMPTS);
  }

  private CompletionStage<Outcome<JobView>> submitAs(long jobId, JobSubmission submission, String requestId,
      int attempts) {
    String submissionId = UUID.randomUUID().toString();
    return sendParts(jobId, submissionId, submission.userIds(), 0).thenCompose(sent -> {
      if (sent instanceof Outcome.Rejected<Integer> refused) {
        return refused.code() == ErrorCode.CONCURRENT_MODIFICATION && attempts > 1
            ? submitAs(JobIds.next(clock), submission, requestId, attempts - 1)
            : CompletableFuture.completedFuture(refused.cast());
      }
      return ask(jobId, replyTo -> new IssuanceJob.Start(submissionId, submission.policyId(), submission.name(),
          submission.issuedBy(), submission.userIds().length, requestId, replyTo));
    });
  }

  /** Parts {@code part} and after, one at a time: the job takes them in order. */
  private CompletionStage<Outcome<Integer>> sendParts(long jobId, String submissionId, long[] userIds, int part) {
    int from = part * PART_SIZE;
    long[] users = Arrays.copyOfRange(userIds, from, Math.min(userIds.length, from + PART_SIZE));
    CompletionStage<Outcome<Integer>> sent =
        ask(jobId, replyTo -> new IssuanceJob.AddUsers(submissionId, part, users, replyTo));
    return from + PART_SIZE >= userIds.length ? sent : sent.thenCompose(outcome -> outcome instanceof Outcome.Ok<Integer>
        ? sendParts(jobId, submissionId, userIds, part + 1)
        : CompletableFuture.completedFuture(outcome));
  }

  /** The job as its entity has it now (exact progress). */
  public CompletionStage<Outcome<JobView>> get(long jobId) {
    return ask(jobId, IssuanceJob.Get::new);
  }

  /** Cancels the job; {@code respondBy}: when the caller stops waiting (a cancel still undecided then is dropped). */
  public CompletionStage<Outcome<JobView>> cancel(long jobId, Instant respondBy) {
    return ask(jobId, replyTo -> new IssuanceJob.Cancel(respondBy, replyTo));
  }

  private <T> CompletionStage<Outcome<T>> ask(long jobId, Function<ActorRef<Outcome<T>>, IssuanceJob.Command> command) {
    return EntityAnswers.onDispatcher(job(jobId).ask(command, askTimeout), dispatcher);
  }

  public EntityRef<IssuanceJob.Command> job(long jobId) {
    return sharding.entityRefFor(IssuanceJob.ENTITY_KEY, Long.toString(jobId));
  }

  /**
   * The job commands of the policy entity, asked with the jobs' own timeout (a chunk is a large write). The answers
   * only become messages to the job ({@code pipeToSelf}), so they need no hop to the dispatcher.
   */
  private record JobPolicyCalls(Policies policies, Duration timeout)
      implements IssuanceJob.PolicyCalls {

    @Override
    public CompletionStage<Outcome<DirectIssueResult>> issueChunk(long policyId, long jobId, long chunk,
        List<Long> userIds, String issuedBy, String correlationId) {
      return ask(policyId, replyTo -> new CouponPolicy.IssueJobChunk(Long.toString(jobId), chunk, userIds, issuedBy,
          correlationId, replyTo));
    }

    @Override
    public CompletionStage<Outcome<PolicyView>> recordStarted(long policyId, long jobId, String name, String issuedBy,
        long totalRequested) {
      return ask(policyId, replyTo -> new CouponPolicy.RecordJobStarted(Long.toString(jobId), name, issuedBy,
          totalRequested, replyTo));
    }

    @Override
    public CompletionStage<Outcome<PolicyView>> recordEnded(long policyId, long jobId, JobStatus status,
        long successCount, long failureCount) {
      return ask(policyId, replyTo -> new CouponPolicy.RecordJobEnded(Long.toString(jobId), status.name(),
          successCount, failureCount, replyTo));
    }

    private <T> CompletionStage<Outcome<T>> ask(long policyId,
        Function<ActorRef<Outcome<T>>, CouponPolicy.Command> command) {
      return policies.policy(policyId).ask(command, timeout);
    }
  }
}
