package couponservice.jobs;

import couponservice.CborSerializable;
import couponservice.EntitySupervision;
import couponservice.ErrorCode;
import couponservice.Outcome;
import couponservice.Request;
import couponservice.jobs.JobState.Ended;
import couponservice.jobs.JobState.Expired;
import couponservice.jobs.JobState.NoJob;
import couponservice.jobs.JobState.Running;
import couponservice.jobs.JobState.Submitting;
import couponservice.policy.DirectIssueResult;
import couponservice.policy.PolicyView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * A bulk issuance job: the sharded, event-sourced entity that holds a job's user list and feeds it to the job's
 * policy chunk by chunk.
 *
 * <p>The list arrives in parts ({@link AddUsers}, each persisted; a remote message is at most 2 MiB), then
 * {@link Start}: the job is durable before its submitter answers 202. The id takes parts and the start only within
 * {@code coupon.jobs.submission-timeout} of the time it carries; a part or start after that gives the id up for good
 * ({@link SubmissionExpired}), so that a job always starts soon after its id says (what lets the API answer 404 for an
 * id the read model does not list, without starting its entity) and a retry under the same Idempotency-Key can move to
 * a new id knowing that no earlier attempt can still start this one. Running, it asks the policy to record the
 * start, then one chunk at a time ({@code CouponPolicy.IssueJobChunk}), and records each chunk's outcome
 * ({@link ChunkProcessed}, the durable cursor) before it asks for the next. The policy applies a chunk once, so after
 * a crash the chunk that was in flight is asked again and answered as it was applied: no user is issued twice.
 *
 * <p>The entity type remembers its entities (Cluster Sharding's remember-entities, stored in the journal), so a job
 * running when its node dies is started again, and resumes, on its shard's new home — also after a restart of the
 * whole cluster. A job leaves memory (and the remembered set) only once it ended and the policy recorded the end.
 *
 * <p>A cancel stops the job between chunks. While a chunk's outcome is unknown (asked, or in flight when the node
 * died) the cancel waits for it, so that the counts include every coupon the job issued; a cancel whose caller
 * stopped waiting meanwhile is dropped, as the caller was answered 503.
 */
public final class IssuanceJob
    extends EventSourcedBehaviorWithEnforcedReplies<IssuanceJob.Command, IssuanceJob.Event, JobState> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "IssuanceJob");
  private static final String RETRY_TIMER = "retry";

  /** What a job asks of its policy: the job commands of {@code CouponPolicy}. */
  public interface PolicyCalls {
    CompletionStage<Outcome<DirectIssueResult>> issueChunk(long policyId, long jobId, long chunk, List<Long> userIds,
        String issuedBy, String correlationId);

    CompletionStage<Outcome<PolicyView>> recordStarted(long policyId, long jobId, String name, String issuedBy,
        long totalRequested);

    CompletionStage<Outcome<PolicyView>> recordEnded(long policyId, long jobId, JobStatus status, long successCount,
        long failureCount);
  }

  // ---- commands ----

  public sealed interface Command extends CborSerializable {}

  /**
   * Part {@code part} (from 0) of submission {@code submissionId}'s users; answered with the users received so far.
   * The first part claims the job id: parts of another submission are refused CONCURRENT_MODIFICATION.
   */
  public record AddUsers(String submissionId, int part, long[] userIds, ActorRef<Outcome<Integer>> replyTo)
      implements Command, Request<Integer> {}

  /** Starts the job once all {@code totalRequested} users arrived; a repeat answers the job as it is. */
  public record Start(String submissionId, long policyId, String name, String issuedBy, int totalRequested,
      String requestId, ActorRef<Outcome<JobView>> replyTo) implements Command, Request<JobView> {}

  public record Get(ActorRef<Outcome<JobView>> replyTo) implements Command, Request<JobView> {}

  /** Stops the job before the users not yet processed; dropped if still undecided at {@code respondBy}. */
  public record Cancel(Instant respondBy, ActorRef<Outcome<JobView>> replyTo) implements Command, Request<JobView> {}

  record StartRecorded(Outcome<PolicyView> outcome) implements Command {}

  record ChunkAnswered(long chunk, Outcome<DirectIssueResult> outcome) implements Command {}

  record EndRecorded(Outcome<PolicyView> outcome) implements Command {}

  /** The backoff after a failed ask of the policy is over. */
  enum Retry implements Command {
    INSTANCE
  }

  /** Nothing arrived for {@code passivate-after}. */
  enum Idle implements Command {
    INSTANCE
  }

  // ---- events ----

  public sealed interface Event extends CborSerializable {
    long jobId();
  }

  /** Part {@code part} of the user list; the first part's {@code at} is the job's creation time. */
  public record UsersAdded(long jobId, String submissionId, int part, long[] userIds, Instant at) implements Event {}

  /** Carries what the job's read-model row needs, so the projection never looks at the user list. */
  public record JobStarted(long jobId, long policyId, String name, String issuedBy, int totalRequested, int chunkSize,
      String requestId, Instant createdAt, Instant startedAt) implements Event {}

  /**
   * Chunk {@code chunk}'s outcome: users from position {@code firstPosition} on, each with its coupon id (0 where
   * none was issued) and refusal (null where issued); {@code counts} are the job's totals after it.
   */
  public record ChunkProcessed(long jobId, long policyId, long chunk, int firstPosition, long[] userIds,
      long[] couponIds, ErrorCode[] errorCodes, JobCounts counts, Instant at) implements Event {}

  public record JobEnded(long jobId, long policyId, JobStatus status, JobCounts counts, Instant at) implements Event {}

  /** The id is given up: a part or the start came after its submission timeout. Nothing runs under it, ever. */
  public record SubmissionExpired(long jobId, Instant at) implements Event {}

  // ---- setup ----

  public static void init(ActorSystem<?> system, JobSettings settings, PolicyCalls policy, Clock clock) {
    // Remembered, in the journal: a running job restarts by itself wherever its shard goes, also after the whole
    // cluster restarted. Sharding's idle passivation is off for remembered entities; the job passivates itself.
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> create(Long.parseLong(ctx.getEntityId()), settings,
            policy, clock, ctx.getShard()))
        .withSettings(ClusterShardingSettings.create(system).withRememberEntities(true)
            .withRememberEntitiesStoreMode(ClusterShardingSettings.rememberEntitiesStoreModeEventSourced())));
  }

  public static Behavior<Command> create(long jobId, JobSettings settings, PolicyCalls policy, Clock clock,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.withTimers(timers -> Behaviors.setup(ctx -> {
      ctx.setReceiveTimeout(settings.passivateAfter(), Idle.INSTANCE);
      return new IssuanceJob(ctx, timers, jobId, settings, policy, clock, shard);
    }));
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final long jobId;
  private final JobSettings settings;
  private final PolicyCalls policy;
  private final Clock clock;
  private final ActorRef<ClusterSharding.ShardCommand> shard;

  // What this incarnation of the entity has under way; recovery starts from the journal alone.
  private boolean startRecorded;
  private boolean endRecorded;
  /** An ask of the policy is under way: its answer drives the next step. */
  private boolean asking;
  /** A chunk may have been applied by the policy without its outcome recorded here: a cancel must wait for it. */
  private boolean chunkUnresolved;
  private final List<Cancel> waitingCancels = new ArrayList<>();
  private Duration backoff;

  private IssuanceJob(ActorContext<Command> context, TimerScheduler<Command> timers, long jobId, JobSettings settings,
      PolicyCalls policy, Clock clock, ActorRef<ClusterSharding.ShardCommand> shard) {
    super(PersistenceId.of(ENTITY_KEY.name(), Long.toString(jobId)), EntitySupervision.ON_JOURNAL_FAILURE);
    this.context = context;
    this.timers = timers;
    this.jobId = jobId;
    this.settings = settings;
    this.policy = policy;
    this.clock = clock;
    this.shard = shard;
    this.backoff = settings.minBackoff();
  }

  @Override
  public JobState emptyState() {
    return JobState.empty(jobId);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, JobState> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, JobState> builder = newCommandHandlerWithReplyBuilder();
    builder.forStateType(NoJob.class)
        .onCommand(AddUsers.class, (state, cmd) -> cmd.part() != 0
            ? Effect().reply(cmd.replyTo(), Outcome.rejected(ErrorCode.VALIDATION_FAILED,
                "part " + cmd.part() + " of job " + jobId + " before its first part"))
            : pastSubmissionTimeout() ? expire(cmd) : addUsers(cmd))
        .onCommand(Start.class, (state, cmd) -> Effect().reply(cmd.replyTo(), notFound(jobId)))
        .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), notFound(jobId)))
        .onCommand(Cancel.class, (state, cmd) -> Effect().reply(cmd.replyTo(), notFound(jobId)));
    builder.forStateType(Submitting.class)
        .onCommand(AddUsers.class, (state, cmd) -> pastSubmissionTimeout() ? expire(cmd) : onAddUsers(state, cmd))
        .onCommand(Start.class, (state, cmd) -> pastSubmissionTimeout() ? expire(cmd) : onStart(state, cmd))
        .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), notFound(jobId)))
        .onCommand(Cancel.class, (state, cmd) -> Effect().reply(cmd.replyTo(), notFound(jobId)));
    builder.forStateType(Expired.class)
        .onCommand(AddUsers.class, (state, cmd) -> Effect().reply(cmd.replyTo(), expired()))
        .onCommand(Start.class, (state, cmd) -> Effect().reply(cmd.replyTo(), expired()))
        .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), notFound(jobId)))
        .onCommand(Cancel.class, (state, cmd) -> Effect().reply(cmd.replyTo(), notFound(jobId)));
    builder.forStateType(Running.class)
        .onCommand(AddUsers.class, (state, cmd) -> repeatedPart(state.header(), cmd))
        .onCommand(Start.class, (state, cmd) -> repeatedStart(state, state.header(), cmd))
        .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), Outcome.ok(view(state))))
        .onCommand(Cancel.class, this::onCancel)
        .onCommand(StartRecorded.class, this::onStartRecorded)
        .onCommand(ChunkAnswered.class, this::onChunkAnswered)
        .onCommand(Retry.class, (state, cmd) -> {
          advance(state);
          return Effect().noReply();
        })
        .onCommand(Idle.class, (state, cmd) -> Effect().noReply());
    builder.forStateType(Ended.class)
        .onCommand(AddUsers.class, (state, cmd) -> repeatedPart(state.header(), cmd))
        .onCommand(Start.class, (state, cmd) -> repeatedStart(state, state.header(), cmd))
        .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), Outcome.ok(view(state))))
        .onCommand(Cancel.class, (state, cmd) -> Effect().reply(cmd.replyTo(), Outcome.ok(view(state))))
        .onCommand(EndRecorded.class, this::onEndRecorded)
        .onCommand(Retry.class, (state, cmd) -> {
          finish(state);
          return Effect().noReply();
        })
        .onCommand(Idle.class, (state, cmd) -> endRecorded ? passivate() : Effect().noReply());
    builder.forAnyState()
        // An answer to an ask of an earlier step (the job was cancelled, or a retry overtook it).
        .onCommand(StartRecorded.class, (state, cmd) -> answeredLate(state))
        .onCommand(ChunkAnswered.class, (state, cmd) -> answeredLate(state))
        .onCommand(EndRecorded.class, (state, cmd) -> answeredLate(state))
        .onCommand(Retry.class, (state, cmd) -> Effect().noReply())
        .onCommand(Idle.class, (state, cmd) -> passivate());
    return builder.build();
  }

  static Outcome<JobView> notFound(long jobId) {
    return Outcome.rejected(ErrorCode.JOB_NOT_FOUND, "issuance job " + jobId + " does not exist");
  }

  /** The refusal of a submission's part or start under an id it cannot have: the submitter draws another. */
  private Outcome.Rejected<JobView> otherSubmission() {
    return new Outcome.Rejected<>(ErrorCode.CONCURRENT_MODIFICATION, "job id " + jobId + " belongs to another job");
  }

  /** The same refusal, for the parts and the start after the id was given up. */
  private <T> Outcome<T> expired() {
    return Outcome.rejected(ErrorCode.CONCURRENT_MODIFICATION, "job id " + jobId + " is past its submission timeout");
  }

  // ---- submission ----

  private boolean pastSubmissionTimeout() {
    return clock.instant().isAfter(JobIds.drawnAt(jobId).plus(settings.submissionTimeout()));
  }

  /** Gives the id up, durably: from now on no submission's part or start is taken under it. */
  private <T> ReplyEffect<Event, JobState> expire(Request<T> cmd) {
    context.getLog().info("Issuance job id {} given up: its users did not arrive within {} of {}", jobId,
        settings.submissionTimeout(), JobIds.drawnAt(jobId));
    return Effect().persist(new SubmissionExpired(jobId, now())).thenReply(cmd.replyTo(), state -> expired());
  }

  private ReplyEffect<Event, JobState> addUsers(AddUsers cmd) {
    return Effect()
        .persist(new UsersAdded(jobId, cmd.submissionId(), cmd.part(), cmd.userIds(), now()))
        .thenReply(cmd.replyTo(), state -> Outcome.ok(((Submitting) state).received()));
  }

  private ReplyEffect<Event, JobState> onAddUsers(Submitting state, AddUsers cmd) {
    if (!state.submissionId().equals(cmd.submissionId())) {
      return Effect().reply(cmd.replyTo(), otherSubmission().cast());
    }
    if (cmd.part() < state.parts().size()) {
      return Effect().reply(cmd.replyTo(), Outcome.ok(state.received()));
    }
    if (cmd.part() > state.parts().size()) {
      return Effect().reply(cmd.replyTo(), Outcome.rejected(ErrorCode.VALIDATION_FAILED,
          "part " + cmd.part() + " of job " + jobId + " after " + state.parts().size() + " parts"));
    }
    return addUsers(cmd);
  }

  private ReplyEffect<Event, JobState> repeatedPart(JobState.Header header, AddUsers cmd) {
    return header.submissionId().equals(cmd.submissionId())
        ? Effect().reply(cmd.replyTo(), Outcome.ok(header.totalRequested()))
        : Effect().reply(cmd.replyTo(), otherSubmission().cast());
  }

  private ReplyEffect<Event, JobState> onStart(Submitting state, Start cmd) {
    if (!state.submissionId().equals(cmd.submissionId())) {
      return Effect().reply(cmd.replyTo(), otherSubmission());
    }
    if (state.received() != cmd.totalRequested()) {
      return Effect().reply(cmd.replyTo(), Outcome.rejected(ErrorCode.VALIDATION_FAILED,
          "job " + jobId + " received " + state.received() + " of " + cmd.totalRequested() + " users"));
    }
    Instant now = now();
    return Effect()
        .persist(new JobStarted(jobId, cmd.policyId(), cmd.name(), cmd.issuedBy(), cmd.totalRequested(),
            settings.chunkSize(), cmd.requestId(), state.createdAt(), now))
        .thenRun(started -> {
          context.getLog().info("Issuance job {} started: {} users of policy {}", jobId, cmd.totalRequested(),
              cmd.policyId());
          advance(started);
        })
        .thenReply(cmd.replyTo(), started -> Outcome.ok(view(started)));
  }

  private ReplyEffect<Event, JobState> repeatedStart(JobState state, JobState.Header header, Start cmd) {
    return header.submissionId().equals(cmd.submissionId())
        ? Effect().reply(cmd.replyTo(), Outcome.ok(view(state)))
        : Effect().reply(cmd.replyTo(), otherSubmission());
  }

  // ---- running ----

  /** The next step of a running job, unless an ask is under way: record the start, then the next chunk. */
  private void advance(JobState state) {
    if (!(state instanceof Running running) || asking) {
      return;
    }
    JobState.Header header = running.header();
    asking = true;
    if (!startRecorded) {
      ask(policy.recordStarted(header.policyId(), jobId, header.name(), header.issuedBy(), header.totalRequested()),
          StartRecorded::new);
      return;
    }
    long chunk = running.nextChunk();
    chunkUnresolved = true;
    ask(policy.issueChunk(header.policyId(), jobId, chunk, running.nextChunkUsers(), header.issuedBy(),
        header.requestId()), outcome -> new ChunkAnswered(chunk, outcome));
  }

  /** Once a job ended: the policy records the end, once it is durable here. */
  private void finish(JobState state) {
    if (!(state instanceof Ended ended) || asking || endRecorded) {
      return;
    }
    JobState.Header header = ended.header();
    asking = true;
    ask(policy.recordEnded(header.policyId(), jobId, ended.status(), ended.counts().successCount(),
        ended.counts().failureCount()), EndRecorded::new);
  }

  private <T> void ask(CompletionStage<Outcome<T>> answer, Function<Outcome<T>, Command> toCommand) {
    context.pipeToSelf(answer, (outcome, failure) -> toCommand.apply(failure == null ? outcome
        : Outcome.rejected(ErrorCode.SERVICE_UNAVAILABLE, "the policy did not answer: " + failure)));
  }

  private ReplyEffect<Event, JobState> onStartRecorded(Running state, StartRecorded answered) {
    if (recorded(answered.outcome(), "recording its start")) {
      startRecorded = true;
      advance(state);
    }
    return Effect().noReply();
  }

  /** Whether the policy recorded a step; if not, it is asked again after the backoff. */
  private boolean recorded(Outcome<PolicyView> outcome, String step) {
    asking = false;
    if (outcome instanceof Outcome.Rejected<PolicyView> refused) {
      retryLater(step, refused);
      return false;
    }
    return true;
  }

  private ReplyEffect<Event, JobState> onChunkAnswered(Running state, ChunkAnswered answered) {
    asking = false;
    if (answered.chunk() != state.nextChunk()) {
      return answeredLate(state);
    }
    if (!(answered.outcome() instanceof Outcome.Ok<DirectIssueResult> ok)
        || ok.value().results().size() != state.nextChunkSize()) {
      retryLater("chunk " + answered.chunk(), answered.outcome());
      return Effect().noReply();
    }
    backoff = settings.minBackoff();
    chunkUnresolved = false;
    ChunkProcessed processed = chunkProcessed(state, answered.chunk(), ok.value());
    List<Cancel> cancels = stillWaiting(waitingCancels);
    waitingCancels.clear();
    boolean last = processed.counts().processed() == state.header().totalRequested();
    if (last || !cancels.isEmpty()) {
      JobEnded end = new JobEnded(jobId, state.header().policyId(), last ? JobStatus.COMPLETED : JobStatus.CANCELLED,
          processed.counts(), processed.at());
      return Effect().persist(List.of(processed, end)).thenRun(ended -> {
        JobMetrics.issued(jobId, processed.counts().successCount() - state.counts().successCount());
        ended(ended);
        cancels.forEach(cancel -> cancel.replyTo().tell(Outcome.ok(view(ended))));
      }).thenNoReply();
    }
    return Effect().persist(processed).thenRun(next -> {
      JobMetrics.issued(jobId, processed.counts().successCount() - state.counts().successCount());
      advance(next);
    }).thenNoReply();
  }

  private ChunkProcessed chunkProcessed(Running state, long chunk, DirectIssueResult result) {
    int size = result.results().size();
    long[] userIds = new long[size];
    long[] couponIds = new long[size];
    ErrorCode[] errorCodes = new ErrorCode[size];
    for (int i = 0; i < size; i++) {
      DirectIssueResult.Entry entry = result.results().get(i);
      userIds[i] = entry.userId();
      couponIds[i] = entry.couponId() == null ? 0 : entry.couponId();
      errorCodes[i] = entry.errorCode();
    }
    return new ChunkProcessed(jobId, state.header().policyId(), chunk, state.processed(), userIds, couponIds,
        errorCodes, state.counts().plus(errorCodes), now());
  }

  private ReplyEffect<Event, JobState> onCancel(Running state, Cancel cmd) {
    if (chunkUnresolved) {
      waitingCancels.add(cmd);
      return Effect().noReply();
    }
    return Effect()
        .persist(new JobEnded(jobId, state.header().policyId(), JobStatus.CANCELLED, state.counts(), now()))
        .thenRun(this::ended)
        .thenReply(cmd.replyTo(), ended -> Outcome.ok(view(ended)));
  }

  /** The cancels whose callers still wait; the others were answered 503 ("nothing changed") meanwhile. */
  private List<Cancel> stillWaiting(List<Cancel> cancels) {
    Instant now = clock.instant();
    return cancels.stream().filter(cancel -> !now.isAfter(cancel.respondBy())).toList();
  }

  private void ended(JobState state) {
    Ended ended = (Ended) state;
    context.getLog().info("Issuance job {} {}: {} issued, {} refused of {}", jobId, ended.status(),
        ended.counts().successCount(), ended.counts().failureCount(), ended.header().totalRequested());
    JobMetrics.forget(jobId);
    finish(state);
  }

  private ReplyEffect<Event, JobState> onEndRecorded(Ended state, EndRecorded answered) {
    endRecorded = recorded(answered.outcome(), "recording its end");
    return Effect().noReply();
  }

  /** An answer to an ask this state no longer waits for: the state's own step goes on. */
  private ReplyEffect<Event, JobState> answeredLate(JobState state) {
    asking = false;
    advance(state);
    finish(state);
    return Effect().noReply();
  }

  private void retryLater(String step, Outcome<?> outcome) {
    String reason = outcome instanceof Outcome.Rejected<?> refused ? refused.code() + " " + refused.message()
        : "an answer for other users";
    context.getLog().warn("Issuance job {}: the policy did not complete {} ({}); again in {} ms", jobId, step, reason,
        backoff.toMillis());
    timers.startSingleTimer(RETRY_TIMER, Retry.INSTANCE, backoff);
    Duration doubled = backoff.multipliedBy(2);
    backoff = doubled.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : doubled;
  }

  private ReplyEffect<Event, JobState> passivate() {
    shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    return Effect().noReply();
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private static JobView view(JobState state) {
    if (state instanceof Running running) {
      return JobView.of(running.header(), JobStatus.RUNNING, running.counts(), null);
    }
    Ended ended = (Ended) state;
    return JobView.of(ended.header(), ended.status(), ended.counts(), ended.completedAt());
  }

  // ---- events, tags, snapshots ----

  @Override
  public EventHandler<JobState, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(UsersAdded.class, JobState::onUsersAdded)
        .onEvent(JobStarted.class, JobState::onStarted)
        .onEvent(ChunkProcessed.class, JobState::onChunkProcessed)
        .onEvent(JobEnded.class, JobState::onEnded)
        .onEvent(SubmissionExpired.class, JobState::onExpired)
        .build();
  }

  /** The read side needs the start, the chunks and the end; the user list stays with the job. */
  @Override
  public Set<String> tagsFor(Event event) {
    return event instanceof UsersAdded || event instanceof SubmissionExpired ? Set.of()
        : Set.of(settings.tagFor(jobId));
  }

  /** An ended job is snapshotted without its user list, so that reading it again does not replay the list. */
  @Override
  public boolean shouldSnapshot(JobState state, Event event, long sequenceNr) {
    return event instanceof JobEnded;
  }

  @Override
  public SignalHandler<JobState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state instanceof Running running) {
            // The chunk after the cursor may have been applied before the node stopped: its outcome is unknown.
            chunkUnresolved = true;
            context.getLog().info("Issuance job {} resumes at user {} of {}", jobId, running.processed(),
                running.header().totalRequested());
          }
          advance(state);
          finish(state);
        })
        .onSignal(PostStop.instance(), state -> JobMetrics.forget(jobId))
        .build();
  }
}
