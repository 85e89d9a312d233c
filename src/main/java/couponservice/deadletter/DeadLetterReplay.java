package couponservice.deadletter;

import couponservice.CborSerializable;
import couponservice.EntitySupervision;
import couponservice.Outcome;
import couponservice.Request;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;

/**
 * The durable record that a dead letter was replayed: one sharded, event-sourced entity per dead letter id, so that
 * replays of one letter — concurrent, repeated, from any node — are decided one after another and only the first
 * records {@link ReplayRequested}. The record is produced to the original topic from the journal, not from here
 * ({@link DeadLetterReplayer}): once the event is written, the replay happens, whatever crashes afterwards.
 */
public final class DeadLetterReplay
    extends EventSourcedBehaviorWithEnforcedReplies<DeadLetterReplay.Command, DeadLetterReplay.Event,
        DeadLetterReplay.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "DeadLetterReplay");
  /** Every replay's event carries it: the replayer reads them in journal order. */
  public static final String TAG = "dead-letter-replay";

  public interface Command extends CborSerializable {}

  /** Replays the letter unless it was replayed before; answers when it was (first) replayed. */
  public record Replay(String requestedBy, ActorRef<Outcome<Instant>> replyTo) implements Command, Request<Instant> {}

  public interface Event extends CborSerializable {}

  /** {@code deadLetterId}: the canonical encoded id; {@code requestedBy}: the admin who asked. */
  public record ReplayRequested(String deadLetterId, Instant at, String requestedBy) implements Event {}

  /** When the letter was replayed; null while it was not. */
  public record State(Instant replayedAt) implements CborSerializable {
    static final State NOT_REPLAYED = new State(null);
  }

  public static void init(ClusterSharding sharding, Clock clock) {
    sharding.init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), clock)));
  }

  /** {@code deadLetterId}: canonical ({@link DeadLetterId#encoded()}), so that one letter has one entity. */
  public static Behavior<Command> create(String deadLetterId, Clock clock) {
    return new DeadLetterReplay(deadLetterId, clock);
  }

  static String persistenceId(String deadLetterId) {
    return PersistenceId.of(ENTITY_KEY.name(), deadLetterId).id();
  }

  private final String deadLetterId;
  private final Clock clock;

  private DeadLetterReplay(String deadLetterId, Clock clock) {
    super(PersistenceId.ofUniqueId(persistenceId(deadLetterId)), EntitySupervision.ON_JOURNAL_FAILURE);
    this.deadLetterId = deadLetterId;
    this.clock = clock;
  }

  @Override
  public State emptyState() {
    return State.NOT_REPLAYED;
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Replay.class, (state, replay) -> state.replayedAt() != null
            ? Effect().reply(replay.replyTo(), Outcome.ok(state.replayedAt()))
            : Effect().persist(new ReplayRequested(deadLetterId, clock.instant().truncatedTo(ChronoUnit.MILLIS),
                    replay.requestedBy()))
                .thenReply(replay.replyTo(), replayed -> Outcome.ok(replayed.replayedAt())))
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(ReplayRequested.class, (state, requested) -> new State(requested.at()))
        .build();
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return Set.of(TAG);
  }
}
