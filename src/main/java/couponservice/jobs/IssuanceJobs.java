package couponservice.jobs;

import couponservice.EntityAnswers;
import couponservice.ErrorCode;
import couponservice.Outcome;
import couponservice.jobs.SubmissionKey.ClaimedJob;
import couponservice.policy.CouponPolicy;
import couponservice.policy.DirectIssueResult;
import couponservice.policy.IssueChannel;
import couponservice.policy.Policies;
import couponservice.policy.PolicyView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The bulk issuance job feature on a node: the job entities, sharded, and what the API asks of them — submitting a
 * job (its policy checked, its Idempotency-Key claimed, its user list sent in parts, then the start), reading and
 * cancelling one.
 */
public final class IssuanceJobs {
  /** Users per {@link IssuanceJob.AddUsers}: 50,000 ids are at most 450 KB of CBOR, well inside a 2 MiB frame. */
  static final int PART_SIZE = 50_000;
  /** Job ids tried before giving up, should each one be one another submission drew, or one past its timeout. */
  private static final int ID_ATTEMPTS = 3;

  private final ClusterSharding sharding;
  private final Policies policies;
  private final JobSettings settings;
  private final Clock clock;
  private final Duration askTimeout;
  private final Executor dispatcher;
  private final Executor blocking;

  private IssuanceJobs(ClusterSharding sharding, Policies policies, JobSettings settings, Clock clock,
      Duration askTimeout, Executor dispatcher, Executor blocking) {
    this.sharding = sharding;
    this.policies = policies;
    this.settings = settings;
    this.clock = clock;
    this.askTimeout = askTimeout;
    this.dispatcher = dispatcher;
    this.blocking = blocking;
  }

  /** {@code askTimeout}: how long an API request waits for an entity. */
  public static IssuanceJobs start(ActorSystem<?> system, JobSettings settings, Policies policies, Clock clock,
      Duration askTimeout) {
    IssuanceJob.init(system, settings, new JobPolicyCalls(policies, settings.policyAskTimeout()), clock);
    ClusterSharding sharding = ClusterSharding.get(system);
    SubmissionKey.init(sharding, settings.idempotencyRetention(), clock);
    return new IssuanceJobs(sharding, policies, settings, clock, askTimeout, system.executionContext(),
        system.dispatchers().lookup(DispatcherSelector.fromConfig("coupon.blocking-dispatcher")));
  }

  /** How long a submission's body may take to arrive. */
  public Duration uploadTimeout() {
    return settings.uploadTimeout();
  }

  /**
   * Submits a job: its policy must exist and issue now (404 POLICY_NOT_FOUND, 400 POLICY_INACTIVE or
   * DISTRIBUTION_TYPE_MISMATCH otherwise, nothing started); then its users in parts, each durable in the job's journal,
   * then its start. Answered once the job is running, so a 202 never loses it; a job whose submission failed halfway
   * never starts.
   *
   * <p>With an {@code idempotencyKey} (the {@code caller}'s own), the first submission under the key claims a job id
   * before it sends anything, and every retry with the same body continues that job — or answers it, once it started —
   * instead of starting another; another body under the key is refused (400). A retry that finds a job is not asked to
   * pass the policy check again: the job was accepted when the key claimed it.
   */
  public CompletionStage<Outcome<JobView>> submit(JobSubmission submission, String caller, String idempotencyKey,
      String requestId) {
    if (idempotencyKey == null) {
      return refusalOf(submission).thenCompose(refusal -> refusal.isPresent() ? done(refusal.get())
          : submitAs(newJob(), submission, requestId, ID_ATTEMPTS, taken -> done(Outcome.ok(newJob()))));
    }
    EntityRef<SubmissionKey.Command> key =
        sharding.entityRefFor(SubmissionKey.ENTITY_KEY, SubmissionKey.entityId(caller, idempotencyKey));
    return CompletableFuture.supplyAsync(submission::fingerprint, blocking).thenCompose(fingerprint ->
        ask(key, (ActorRef<Outcome<ClaimedJob>> replyTo) -> new SubmissionKey.Find(fingerprint, replyTo))
            .thenCompose(found -> found instanceof Outcome.Ok<ClaimedJob> ok && !ok.value().exists()
                ? claim(key, fingerprint, submission)
                : done(found))
            .thenCompose(claimed -> claimed instanceof Outcome.Ok<ClaimedJob> ok
                ? submitAs(ok.value(), submission, requestId, ID_ATTEMPTS, taken -> ask(key,
                    (ActorRef<Outcome<ClaimedJob>> replyTo) -> new SubmissionKey.Move(fingerprint, taken.jobId(),
                        JobIds.next(clock), replyTo)))
                : done(((Outcome.Rejected<ClaimedJob>) claimed).<JobView>cast())));
  }

  /** The key's job once the policy check passed: a new one, or the one a concurrent submission claimed first. */
  private CompletionStage<Outcome<ClaimedJob>> claim(EntityRef<SubmissionKey.Command> key, String fingerprint,
      JobSubmission submission) {
    return refusalOf(submission).thenCompose(refusal -> refusal.isPresent() ? done(refusal.get().<ClaimedJob>cast())
        : ask(key, (ActorRef<Outcome<ClaimedJob>> replyTo) -> new SubmissionKey.Claim(fingerprint, newJob(), replyTo)));
  }

  private ClaimedJob newJob() {
    return new ClaimedJob(JobIds.next(clock), UUID.randomUUID().toString());
  }

  /** Why the job's policy cannot run it: it does not exist, or the policy would refuse a direct issue now. */
  private CompletionStage<Optional<Outcome.Rejected<JobView>>> refusalOf(JobSubmission submission) {
    return ask(policies.policy(submission.policyId()), CouponPolicy.Get::new).thenApply(policy ->
        policy instanceof Outcome.Ok<PolicyView> ok
            ? IssueChannel.DIRECT.refusal(ok.value().policyId(), ok.value().distributionType(), ok.value().isActive(),
                ok.value().validFrom(), ok.value().validUntil(), clock.instant())
            : Optional.of(((Outcome.Rejected<PolicyView>) policy).cast()));
  }

  /**
   * Sends the parts and the start under {@code job}. An id the job entity refuses (another submission drew it too, or
   * it is past its submission timeout) is replaced by {@code another}, and everything is sent again.
   */
  private CompletionStage<Outcome<JobView>> submitAs(ClaimedJob job, JobSubmission submission, String requestId,
      int attempts, Function<ClaimedJob, CompletionStage<Outcome<ClaimedJob>>> another) {
    return sendParts(job, submission.userIds(), 0).thenCompose(sent -> sent instanceof Outcome.Rejected<Integer> refused
            ? done(refused.<JobView>cast())
            : ask(job.jobId(), replyTo -> new IssuanceJob.Start(job.submissionId(), submission.policyId(),
                submission.name(), submission.issuedBy(), submission.userIds().length, requestId, replyTo)))
        .thenCompose(outcome -> outcome instanceof Outcome.Rejected<JobView> refused
            && refused.code() == ErrorCode.CONCURRENT_MODIFICATION && attempts > 1
            ? another.apply(job).thenCompose(next -> next instanceof Outcome.Ok<ClaimedJob> ok && ok.value().exists()
                ? submitAs(ok.value(), submission, requestId, attempts - 1, another)
                : done(next instanceof Outcome.Rejected<ClaimedJob> nextRefused ? nextRefused.<JobView>cast()
                    : Outcome.rejected(ErrorCode.SERVICE_UNAVAILABLE,
                        "the Idempotency-Key's job was forgotten during the submission; retry")))
            : done(outcome));
  }

  /** Parts {@code part} and after, one at a time: the job takes them in order. */
  private CompletionStage<Outcome<Integer>> sendParts(ClaimedJob job, long[] userIds, int part) {
    int from = part * PART_SIZE;
    long[] users = Arrays.copyOfRange(userIds, from, Math.min(userIds.length, from + PART_SIZE));
    CompletionStage<Outcome<Integer>> sent =
        ask(job.jobId(), replyTo -> new IssuanceJob.AddUsers(job.submissionId(), part, users, replyTo));
    return from + PART_SIZE >= userIds.length ? sent : sent.thenCompose(outcome -> outcome instanceof Outcome.Ok<Integer>
        ? sendParts(job, userIds, part + 1)
        : done(outcome));
  }

  /**
   * Whether the job read model lists a job. Only asked about an id that is not recent: a recent job may be missing
   * from it yet (it lags by under a second), an older one may not.
   */
  @FunctionalInterface
  public interface JobListing {
    CompletionStage<Boolean> lists(long jobId);
  }

  /** The job as its entity has it now (exact progress). */
  public CompletionStage<Outcome<JobView>> get(long jobId, JobListing listing) {
    return ifCanExist(jobId, listing, () -> ask(jobId, IssuanceJob.Get::new));
  }

  /** Cancels the job; {@code respondBy}: when the caller stops waiting (a cancel still undecided then is dropped). */
  public CompletionStage<Outcome<JobView>> cancel(long jobId, Instant respondBy, JobListing listing) {
    return ifCanExist(jobId, listing, () -> ask(jobId, replyTo -> new IssuanceJob.Cancel(respondBy, replyTo)));
  }

  /**
   * {@code askJob} for an id that can be a job; 404 for one that cannot — without starting its entity, which would be
   * remembered (a journal write) until it passivates. A job starts within the submission timeout of the time its id
   * carries, and is listed by the read model shortly after: an id from the future, or an older one the read model does
   * not list, is no job ({@link JobSettings#readModelGrace()} allows for the lag and for the nodes' clocks).
   */
  private CompletionStage<Outcome<JobView>> ifCanExist(long jobId, JobListing listing,
      Supplier<CompletionStage<Outcome<JobView>>> askJob) {
    Instant drawn = JobIds.drawnAt(jobId);
    Instant now = clock.instant();
    if (drawn.isAfter(now.plus(settings.readModelGrace()))) {
      return done(IssuanceJob.notFound(jobId));
    }
    if (drawn.plus(settings.submissionTimeout()).plus(settings.readModelGrace()).isAfter(now)) {
      return askJob.get();
    }
    return listing.lists(jobId).thenCompose(listed -> listed ? askJob.get() : done(IssuanceJob.notFound(jobId)));
  }

  private <T> CompletionStage<Outcome<T>> ask(long jobId, Function<ActorRef<Outcome<T>>, IssuanceJob.Command> command) {
    return ask(job(jobId), command);
  }

  private <C, T> CompletionStage<Outcome<T>> ask(EntityRef<C> entity, Function<ActorRef<Outcome<T>>, C> command) {
    return EntityAnswers.onDispatcher(entity.ask(command::apply, askTimeout), dispatcher);
  }

  private static <T> CompletionStage<T> done(T value) {
    return CompletableFuture.completedFuture(value);
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
      return policies.policy(policyId).ask(command::apply, timeout);
    }
  }
}
