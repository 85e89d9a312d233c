package couponservice.jobs;

import couponservice.CborSerializable;
import couponservice.EntitySupervision;
import couponservice.ErrorCode;
import couponservice.Outcome;
import couponservice.Request;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * The {@code Idempotency-Key} of job submissions: one sharded, event-sourced entity per caller and key, holding the job
 * that the first submission under the key claimed and a digest of what it asked. Every retry of that submission is
 * sent to the same job, under the same submission id — and the job takes a part or a start it already has as done —
 * so that however often a client retries, and wherever an earlier attempt stopped (a crash halfway through the parts
 * included), one job starts. A submission that asks something else under the key is refused.
 *
 * <p>The claim is durable before the first part is sent. It moves to another job id only from the id it holds
 * (compare and set), when that id cannot take the submission: another submission drew it too, or its submission
 * timeout passed ({@link IssuanceJob}); both are final, so no attempt can still start the job the claim left. A claim
 * older than the retention is forgotten: the key may then start a new job.
 */
public final class SubmissionKey
    extends EventSourcedBehaviorWithEnforcedReplies<SubmissionKey.Command, SubmissionKey.Event, SubmissionKey.State> {

  static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "JobSubmissionKey");

  /** A job id and the submission id its parts are sent under; {@link #NONE} where a key holds no job. */
  public record ClaimedJob(long jobId, String submissionId) implements CborSerializable {
    static final ClaimedJob NONE = new ClaimedJob(0, "");

    boolean exists() {
      return jobId != 0;
    }
  }

  // ---- commands ----

  public sealed interface Command extends CborSerializable {}

  /** The key's job, or {@link ClaimedJob#NONE}; refused when the key holds another submission's job. */
  public record Find(String fingerprint, ActorRef<Outcome<ClaimedJob>> replyTo)
      implements Command, Request<ClaimedJob> {}

  /** Claims {@code job} for the submission unless the key holds a job already; answered with the key's job. */
  public record Claim(String fingerprint, ClaimedJob job, ActorRef<Outcome<ClaimedJob>> replyTo)
      implements Command, Request<ClaimedJob> {}

  /** Moves the key's job to {@code toJobId} if it is still {@code fromJobId}; answered with the key's job. */
  public record Move(String fingerprint, long fromJobId, long toJobId, ActorRef<Outcome<ClaimedJob>> replyTo)
      implements Command, Request<ClaimedJob> {}

  // ---- events ----

  public sealed interface Event extends CborSerializable {}

  /** {@code fingerprint}: {@link JobSubmission#fingerprint()} of the submission that claimed the job. */
  public record JobClaimed(String fingerprint, long jobId, String submissionId, Instant at) implements Event {}

  public record JobMoved(long fromJobId, long toJobId) implements Event {}

  /** The key's claim; {@link #NONE} before the first. */
  public record State(String fingerprint, ClaimedJob job, Instant claimedAt) implements CborSerializable {
    static final State NONE = new State("", ClaimedJob.NONE, Instant.EPOCH);
  }

  // ---- setup ----

  static void init(ClusterSharding sharding, Duration retention, Clock clock) {
    sharding.init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), retention, clock)));
  }

  static Behavior<Command> create(String entityId, Duration retention, Clock clock) {
    return new SubmissionKey(entityId, retention, clock);
  }

  /** The entity of {@code key} sent by {@code caller}: keys are the caller's own, as a payment API scopes them. */
  static String entityId(String caller, String key) {
    return new Sha256().add(caller).add(key).base64();
  }

  private final Duration retention;
  private final Clock clock;

  private SubmissionKey(String entityId, Duration retention, Clock clock) {
    super(PersistenceId.of(ENTITY_KEY.name(), entityId), EntitySupervision.ON_JOURNAL_FAILURE);
    this.retention = retention;
    this.clock = clock;
  }

  @Override
  public State emptyState() {
    return State.NONE;
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Find.class, (state, find) -> Effect().reply(find.replyTo(), answer(state, find.fingerprint())))
        .onCommand(Claim.class, this::onClaim)
        .onCommand(Move.class, this::onMove)
        .build();
  }

  private ReplyEffect<Event, State> onClaim(State state, Claim claim) {
    if (holdsJob(state)) {
      return Effect().reply(claim.replyTo(), answer(state, claim.fingerprint()));
    }
    return Effect()
        .persist(new JobClaimed(claim.fingerprint(), claim.job().jobId(), claim.job().submissionId(),
            clock.instant().truncatedTo(ChronoUnit.MILLIS)))
        .thenReply(claim.replyTo(), claimed -> Outcome.ok(claimed.job()));
  }

  private ReplyEffect<Event, State> onMove(State state, Move move) {
    if (!holdsJob(state) || !state.fingerprint().equals(move.fingerprint())
        || state.job().jobId() != move.fromJobId()) {
      return Effect().reply(move.replyTo(), answer(state, move.fingerprint()));
    }
    return Effect()
        .persist(new JobMoved(move.fromJobId(), move.toJobId()))
        .thenReply(move.replyTo(), moved -> Outcome.ok(moved.job()));
  }

  private boolean holdsJob(State state) {
    return state.job().exists() && state.claimedAt().plus(retention).isAfter(clock.instant());
  }

  /** The key's job for a submission with {@code fingerprint}. */
  private Outcome<ClaimedJob> answer(State state, String fingerprint) {
    if (!holdsJob(state)) {
      return Outcome.ok(ClaimedJob.NONE);
    }
    if (!state.fingerprint().equals(fingerprint)) {
      return Outcome.rejected(ErrorCode.VALIDATION_FAILED, "Idempotency-Key was used for another job submission"
          + " (another policy, other users, another name or issuedBy); a new submission needs a new key");
    }
    return Outcome.ok(state.job());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(JobClaimed.class, (state, claimed) -> new State(claimed.fingerprint(),
            new ClaimedJob(claimed.jobId(), claimed.submissionId()), claimed.at()))
        .onEvent(JobMoved.class, (state, moved) -> new State(state.fingerprint(),
            new ClaimedJob(moved.toJobId(), state.job().submissionId()), state.claimedAt()))
        .build();
  }
}
