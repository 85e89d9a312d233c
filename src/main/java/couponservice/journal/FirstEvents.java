package couponservice.journal;

import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Reads the first event of an entity's journal: what a policy was created with, what a coupon was issued with.
 * Consumers of events written before the events carried what they need read it here, from the journal itself,
 * instead of asking an entity.
 */
public final class FirstEvents {
  private final ActorSystem<?> system;
  private final JdbcReadJournal journal;

  public FirstEvents(ActorSystem<?> system) {
    this.system = system;
    this.journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
  }

  public CompletionStage<Optional<Object>> of(String persistenceId) {
    return journal.currentEventsByPersistenceId(persistenceId, 1, 1)
        .map(EventEnvelope::event)
        .runWith(Sink.headOption(), system);
  }
}
