package couponservice.kafka;


import couponservice.Outcome;
import couponservice.coupon.Coupon;
import couponservice.coupon.CouponSettings;
import couponservice.http.Json;
import couponservice.kafka.CouponEventEnvelope.Addressed;
import couponservice.policy.CouponPolicy;
import couponservice.policy.CouponTerms;
import couponservice.policy.DefinitionSource;
import couponservice.policy.PolicyDefinition;
import couponservice.policy.PolicyRegistry;
import couponservice.policy.PolicySettings;
import couponservice.readside.ReadModelDatabase;
import couponservice.readside.ProjectionLag;
import couponservice.readside.TagSliceProjections;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  private CouponEventPublisher() {}

  public static void init(ActorSystem<?> system, ReadModelDatabase database, KafkaSettings kafka,
      PolicySettings policySettings, CouponSettings couponSettings, Coupon.TermsSource terms,
      DefinitionSource definitions, SendProducer<String, byte[]> producer) {
    Sender sender = new Sender(kafka, producer);
    TagSliceProjections.run(system, "policy-event-publisher", policySettings.tags(), tag -> JdbcProjection.groupedWithinAsync(
            ProjectionId.of("policy-event-publisher", tag),
            EventSourcedProvider.<CouponPolicy.Event>eventsByTag(system, JdbcReadJournal.Identifier(), tag),
            database::openSession, () -> new PolicyEvents(definitions, sender), system)
        .withGroup(GROUP_SIZE, GROUP_WAIT));
    TagSliceProjections.run(system, "coupon-event-publisher", couponSettings.tags(), tag -> JdbcProjection.groupedWithinAsync(
            ProjectionId.of("coupon-event-publisher", tag),
            EventSourcedProvider.<Coupon.Event>eventsByTag(system, JdbcReadJournal.Identifier(), tag),
            database::openSession, () -> new CouponEvents(terms, sender), system)
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

  /** A bounded memory of what the stream told us, so that lookups are rare. */
  private static <K, V> Map<K, V> recent(int capacity) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > capacity;
      }
    };
  }

  private static <T> T value(Outcome<T> outcome, String what) {
    if (outcome instanceof Outcome.Ok<T> ok) {
      return ok.value();
    }
    throw new IllegalStateException("cannot publish: " + what + ": " + ((Outcome.Rejected<T>) outcome).message());
  }

  private static final class PolicyEvents extends Handler<List<EventEnvelope<CouponPolicy.Event>>> {
    private final DefinitionSource definitions;
    private final Sender sender;
    private final Map<Long, PolicyDefinition> known = recent(10_000);

    PolicyEvents(DefinitionSource definitions, Sender sender) {
      this.definitions = definitions;
      this.sender = sender;
    }

    @Override
    public CompletionStage<Done> process(List<EventEnvelope<CouponPolicy.Event>> envelopes) {
      List<CompletionStage<List<Addressed>>> batches = new ArrayList<>();
      for (EventEnvelope<CouponPolicy.Event> envelope : envelopes) {
        if (envelope.event() instanceof CouponPolicy.PolicyCreated created) {
          known.put(created.policyId(), created.definition());
        } else if (envelope.event() instanceof CouponPolicy.CouponsIssued issued) {
          batches.add(definition(issued.policyId()).thenApply(definition ->
              CouponEventEnvelopes.issued(envelope.persistenceId(), envelope.sequenceNr(), issued, definition)));
        }
      }
      return inOrder(batches).thenCompose(sender::send)
          .thenApply(done -> observedLag("policy-event-publisher", envelopes));
    }

    private CompletionStage<PolicyDefinition> definition(long policyId) {
      PolicyDefinition definition = known.get(policyId);
      return definition != null
          ? CompletableFuture.completedFuture(definition)
          : definitions.lookup(policyId).thenApply(found -> {
              PolicyRegistry.Registration registration = value(found, "policy " + policyId);
              known.put(policyId, registration.definition());
              return registration.definition();
            });
    }
  }

  private static Done observedLag(String projection, List<? extends EventEnvelope<?>> envelopes) {
    ProjectionLag.observe(projection, envelopes);
    return Done.getInstance();
  }

  private static final class CouponEvents extends Handler<List<EventEnvelope<Coupon.Event>>> {
    private final Coupon.TermsSource termsSource;
    private final Sender sender;
    private final Map<Long, CouponTerms> known = recent(100_000);

    CouponEvents(Coupon.TermsSource termsSource, Sender sender) {
      this.termsSource = termsSource;
      this.sender = sender;
    }

    @Override
    public CompletionStage<Done> process(List<EventEnvelope<Coupon.Event>> envelopes) {
      List<CompletionStage<List<Addressed>>> published = new ArrayList<>();
      for (EventEnvelope<Coupon.Event> envelope : envelopes) {
        Coupon.Event event = envelope.event();
        if (event instanceof Coupon.TermsRecorded recorded) {
          known.put(recorded.couponId(), recorded.terms());
        } else {
          published.add(terms(event.couponId()).thenApply(terms -> CouponEventEnvelopes
              .of(envelope.persistenceId(), envelope.sequenceNr(), event, terms).map(List::of).orElse(List.of())));
        }
      }
      return inOrder(published).thenCompose(sender::send)
          .thenApply(done -> observedLag("coupon-event-publisher", envelopes));
    }

    private CompletionStage<CouponTerms> terms(long couponId) {
      CouponTerms terms = known.get(couponId);
      return terms != null
          ? CompletableFuture.completedFuture(terms)
          : termsSource.termsOf(couponId).thenApply(found -> {
              CouponTerms loaded = value(found, "coupon " + couponId);
              known.put(couponId, loaded);
              return loaded;
            });
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
