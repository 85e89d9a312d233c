package couponservice.journal;

import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Reads single events of an entity's journal: what a policy was created with, what a coupon was issued with, the
 * issuance event a coupon was issued by. Consumers read what they need here, from the journal itself, instead of
 * asking an entity.
 */
public final class JournalEvents {
  private final ActorSystem<?> system;
  private final JdbcReadJournal journal;

  public JournalEvents(ActorSystem<?> system) {
    this.system = system;
    this.journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
  }

  public CompletionStage<Optional<Object>> first(String persistenceId) {
    return event(persistenceId, 1);
  }

  /** Event {@code sequenceNr} of {@code persistenceId}, if it was written. */
  public CompletionStage<Optional<Object>> event(String persistenceId, long sequenceNr) {
    return journal.currentEventsByPersistenceId(persistenceId, sequenceNr, sequenceNr)
        .map(EventEnvelope::event)
        .runWith(Sink.headOption(), system);
  }
}
