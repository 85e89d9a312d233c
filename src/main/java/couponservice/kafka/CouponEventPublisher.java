package couponservice.kafka;


import couponservice.coupon.Coupon;
import couponservice.coupon.CouponSettings;
import couponservice.coupon.RecordedTerms;
import couponservice.journal.JournalEvents;
import couponservice.policy.IssuanceTerms;
import couponservice.Json;
import couponservice.kafka.CouponEventEnvelope.Addressed;
import couponservice.policy.CouponPolicy;
import couponservice.readside.ReadModelDatabase;
import couponservice.readside.ProjectionLag;
import couponservice.readside.TagSliceProjections;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.kafka.javadsl.SendProducer;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.Handler;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * Publishes the journal to the {@code coupon.*} topics: the journal is the outbox. One projection per coupon tag
 * slice publishes its coupons' issues (COUPON_ISSUED, from the policy's issuance events, which carry every slice
 * they issued to) and their own events (the rest), so a coupon's events leave in the order they happened. Offsets
 * are in the database, saved after the broker acknowledged a group: at least once, nothing lost across restarts,
 * the same eventId on every delivery. Records are keyed by coupon id.
 */
public final class CouponEventPublisher {
  private static final int GROUP_SIZE = 500;
  private static final Duration GROUP_WAIT = Duration.ofMillis(50);
  /** Coupon terms remembered per publisher instance, so that reading a coupon's first event is rare. */
  private static final int RECENT_TERMS = 100_000;

  private CouponEventPublisher() {}

  public static void init(ActorSystem<?> system, ReadModelDatabase database, KafkaSettings kafka,
      CouponSettings settings, SendProducer<String, byte[]> producer) {
    Sender sender = new Sender(kafka, producer);
    JournalEvents journal = new JournalEvents(system);
    TagSliceProjections.run(system, "coupon-event-publisher", settings.tags(), tag -> JdbcProjection.groupedWithinAsync(
            ProjectionId.of("coupon-event-publisher", tag),
            EventSourcedProvider.<Object>eventsByTag(system, JdbcReadJournal.Identifier(), tag),
            database::openSession,
            () -> new SliceEvents(tag, settings, new IssuanceTerms(journal), new RecordedTerms(journal, RECENT_TERMS),
                sender),
            system)
        .withGroup(GROUP_SIZE, GROUP_WAIT));
  }

  /** Sends envelopes in the given order; done when the broker acknowledged all of them. */
  private record Sender(KafkaSettings kafka, SendProducer<String, byte[]> producer) {
    CompletionStage<Done> send(List<Addressed> envelopes) {
      CompletableFuture<?>[] acks = new CompletableFuture<?>[envelopes.size()];
      for (int i = 0; i < envelopes.size(); i++) {
        Addressed a = envelopes.get(i);
        acks[i] = producer.send(new ProducerRecord<>(kafka.topic(a.topic()), a.key(), Json.write(a.envelope())))
            .toCompletableFuture();
      }
      return CompletableFuture.allOf(acks).thenApply(all -> Done.getInstance());
    }
  }

  private static Done observedLag(String projection, List<? extends EventEnvelope<?>> envelopes) {
    ProjectionLag.observe(projection, envelopes);
    return Done.getInstance();
  }

  /** The events of one coupon slice: the slice's coupons of each issuance batch, and its coupons' own events. */
  private static final class SliceEvents extends Handler<List<EventEnvelope<Object>>> {
    private final String slice;
    private final CouponSettings settings;
    private final IssuanceTerms issuanceTerms;
    private final RecordedTerms couponTerms;
    private final Sender sender;

    SliceEvents(String slice, CouponSettings settings, IssuanceTerms issuanceTerms, RecordedTerms couponTerms,
        Sender sender) {
      this.slice = slice;
      this.settings = settings;
      this.issuanceTerms = issuanceTerms;
      this.couponTerms = couponTerms;
      this.sender = sender;
    }

    @Override
    public CompletionStage<Done> process(List<EventEnvelope<Object>> envelopes) {
      List<CompletionStage<List<Addressed>>> published = new ArrayList<>();
      for (EventEnvelope<Object> envelope : envelopes) {
        Object event = envelope.event();
        if (event instanceof CouponPolicy.CouponsIssued issued) {
          published.add(issuanceTerms.of(issued).thenApply(terms -> CouponEventEnvelopes.issued(
              envelope.persistenceId(), envelope.sequenceNr(), issued, terms).stream()
              .filter(addressed -> settings.tagFor(addressed.envelope().data().couponId()).equals(slice))
              .toList()));
        } else if (event instanceof Coupon.TermsRecorded recorded) {
          couponTerms.recorded(recorded);
        } else if (event instanceof Coupon.Event couponEvent) {
          published.add(couponTerms.of(couponEvent.couponId()).thenApply(terms -> CouponEventEnvelopes
              .of(envelope.persistenceId(), envelope.sequenceNr(), couponEvent, terms).map(List::of).orElse(List.of())));
        }
      }
      return inOrder(published).thenCompose(sender::send)
          .thenApply(done -> observedLag("coupon-event-publisher", envelopes));
    }
  }

  /** The lists, concatenated in the order given, once all are complete. */
  private static CompletionStage<List<Addressed>> inOrder(List<CompletionStage<List<Addressed>>> parts) {
    CompletableFuture<?>[] all = parts.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(all).thenApply(done -> {
      List<Addressed> joined = new ArrayList<>();
      for (CompletionStage<List<Addressed>> part : parts) {
        joined.addAll(part.toCompletableFuture().join());
      }
      return joined;
    });
  }
}
