package couponservice.kafka;

import couponservice.coupon.CouponSettings;
import couponservice.coupon.Coupons;
import couponservice.policy.Policies;
import couponservice.readside.ReadModelDatabase;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.kafka.ProducerSettings;
import org.apache.pekko.kafka.javadsl.SendProducer;

/** Starts a node's Kafka side: the consumers of payments and triggers, and the event publisher. */
public final class KafkaStreams {
  private KafkaStreams() {}

  public static void start(ActorSystem<?> system, KafkaSettings kafka, ReadModelDatabase database,
      CouponSettings couponSettings, Policies policies, Coupons coupons,
      Duration askTimeout, Clock clock) {
    Retries retries = new Retries(system, kafka);
    DeadLetters deadLetters = new DeadLetters(producer(system, kafka, new ByteArraySerializer()));
    PaymentEventHandler payments =
        new PaymentEventHandler(coupons, retries, askTimeout, system.executionContext());
    TopicConsumer.start(system, kafka, "payments", Map.of(
        Topics.PAYMENT_COMPLETED, payments.completed(),
        Topics.PAYMENT_FAILED, payments.failed()), deadLetters);
    TopicConsumer.start(system, kafka, "triggers", Map.of(
        Topics.COUPON_TRIGGER, new TriggerEventHandler(policies, retries, askTimeout, system.executionContext(), clock)),
        deadLetters);
    ConsumerLag.report(system, kafka,
        List.of(Topics.PAYMENT_COMPLETED, Topics.PAYMENT_FAILED, Topics.COUPON_TRIGGER));
    if (kafka.publish()) {
      CouponEventPublisher.init(system, database, kafka, couponSettings,
          producer(system, kafka, new StringSerializer()));
    }
  }

  /** A producer closed when the node stops (after the consumers drained). */
  public static <K> SendProducer<K, byte[]> producer(ActorSystem<?> system, KafkaSettings kafka, Serializer<K> keys) {
    SendProducer<K, byte[]> producer = new SendProducer<>(
        ProducerSettings.create(system, keys, new ByteArraySerializer()).withProperties(kafka.clientProperties()),
        system);
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-producer",
        producer::close);
    return producer;
  }
}
