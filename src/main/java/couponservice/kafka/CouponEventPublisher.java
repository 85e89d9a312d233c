package couponservice.kafka;


import couponservice.coupon.Coupon;
import couponservice.coupon.CouponSettings;
import couponservice.coupon.RecordedTerms;
import couponservice.journal.FirstEvents;
import couponservice.policy.IssuanceTerms;
import couponservice.Json;
import couponservice.kafka.CouponEventEnvelope.Addressed;
import couponservice.policy.CouponPolicy;
import couponservice.policy.PolicySettings;
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
 * Publishes the journal to the {@code coupon.*} topics: the journal is the outbox. Projections over the
 * policy tags (COUPON_ISSUED) and the coupon tags (the rest), offsets in the database, saved after the
 * broker acknowledged a group: at least once, nothing lost across restarts, the same eventId on every
 * delivery. Records are sent in journal order, keyed by coupon id.
 */
public final class CouponEventPublisher {
  private static final int GROUP_SIZE = 500;
  private static final Duration GROUP_WAIT = Duration.ofMillis(50);
  /** Coupon terms remembered per publisher instance, so that reading a coupon's first event is rare. */
  private static final int RECENT_TERMS = 100_000;

  private CouponEventPublisher() {}

  public static void init(ActorSystem<?> system, ReadModelDatabase database, KafkaSettings kafka,
      PolicySettings policySettings, CouponSettings couponSettings, SendProducer<String, byte[]> producer) {
    Sender sender = new Sender(kafka, producer);
    FirstEvents journal = new FirstEvents(system);
    TagSliceProjections.run(system, "policy-event-publisher", policySettings.tags(), tag -> JdbcProjection.groupedWithinAsync(
            ProjectionId.of("policy-event-publisher", tag),
            EventSourcedProvider.<CouponPolicy.Event>eventsByTag(system, JdbcReadJournal.Identifier(), tag),
            database::openSession, () -> new PolicyEvents(new IssuanceTerms(journal), sender), system)
        .withGroup(GROUP_SIZE, GROUP_WAIT));
    TagSliceProjections.run(system, "coupon-event-publisher", couponSettings.tags(), tag -> JdbcProjection.groupedWithinAsync(
            ProjectionId.of("coupon-event-publisher", tag),
            EventSourcedProvider.<Coupon.Event>eventsByTag(system, JdbcReadJournal.Identifier(), tag),
            database::openSession, () -> new CouponEvents(new RecordedTerms(journal, RECENT_TERMS), sender), system)
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

  private static final class PolicyEvents extends Handler<List<EventEnvelope<CouponPolicy.Event>>> {
    private final IssuanceTerms terms;
    private final Sender sender;

    PolicyEvents(IssuanceTerms terms, Sender sender) {
      this.terms = terms;
      this.sender = sender;
    }

    @Override
    public CompletionStage<Done> process(List<EventEnvelope<CouponPolicy.Event>> envelopes) {
      List<CompletionStage<List<Addressed>>> batches = new ArrayList<>();
      for (EventEnvelope<CouponPolicy.Event> envelope : envelopes) {
        if (envelope.event() instanceof CouponPolicy.CouponsIssued issued) {
          batches.add(terms.of(issued).thenApply(batchTerms ->
              CouponEventEnvelopes.issued(envelope.persistenceId(), envelope.sequenceNr(), issued, batchTerms)));
        }
      }
      return inOrder(batches).thenCompose(sender::send)
          .thenApply(done -> observedLag("policy-event-publisher", envelopes));
    }
  }

  private static Done observedLag(String projection, List<? extends EventEnvelope<?>> envelopes) {
    ProjectionLag.observe(projection, envelopes);
    return Done.getInstance();
  }

  private static final class CouponEvents extends Handler<List<EventEnvelope<Coupon.Event>>> {
    private final RecordedTerms terms;
    private final Sender sender;

    CouponEvents(RecordedTerms terms, Sender sender) {
      this.terms = terms;
      this.sender = sender;
    }

    @Override
    public CompletionStage<Done> process(List<EventEnvelope<Coupon.Event>> envelopes) {
      List<CompletionStage<List<Addressed>>> published = new ArrayList<>();
      for (EventEnvelope<Coupon.Event> envelope : envelopes) {
        Coupon.Event event = envelope.event();
        if (event instanceof Coupon.TermsRecorded recorded) {
          terms.recorded(recorded);
        } else {
          published.add(terms.of(event.couponId()).thenApply(couponTerms -> CouponEventEnvelopes
              .of(envelope.persistenceId(), envelope.sequenceNr(), event, couponTerms).map(List::of).orElse(List.of())));
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
