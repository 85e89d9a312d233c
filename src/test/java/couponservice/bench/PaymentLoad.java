package couponservice.bench;

import couponservice.kafka.Topics;
import couponservice.policy.CouponIds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The payments benchmark's load: produces one {@code payment.completed.v1} event for each reserved
 * coupon of a policy (coupon sequence s, reservation id s, user s), then waits until the service's
 * consumer group has committed them all, and prints how fast they were applied:
 * {@code PaymentLoad <bootstrap> <policyId> <firstSequence> <lastSequence> [warmUpEvents]}.
 * The first {@code warmUpEvents} of the range are a round of their own, not measured, in the same JVM,
 * so that neither this producer nor the service is still compiling its hot paths when measured.
 */
public final class PaymentLoad {
  private PaymentLoad() {}

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    long policyId = Long.parseLong(args[1]);
    long first = Long.parseLong(args[2]);
    long last = Long.parseLong(args[3]);
    long warmUp = args.length > 4 ? Long.parseLong(args[4]) : 0;
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "10");
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      if (warmUp > 0) {
        round("WARMUP", admin, producer, policyId, first, first + warmUp - 1);
      }
      round("RESULT", admin, producer, policyId, first + warmUp, last);
    }
  }

  /** Produces the payments of coupons {@code first..last} and prints how fast the service applied them. */
  private static void round(String label, Admin admin, KafkaProducer<byte[], byte[]> producer, long policyId,
      long first, long last) throws Exception {
    String topic = Topics.PAYMENT_COMPLETED;
    long events = last - first + 1;
    long before = committed(admin, topic);
    // Formatted before the clock starts: in production the payment service writes them, not the one measured.
    List<ProducerRecord<byte[], byte[]>> payments = payments(topic, policyId, first, last);
    long started = System.nanoTime();
    payments.forEach(producer::send);
    producer.flush();
    long produced = System.nanoTime();
    while (committed(admin, topic) - before < events) {
      Thread.sleep(20);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf("%s {\"events\":%d,\"produceSeconds\":%.1f,\"seconds\":%.1f,\"appliedPerSecond\":%.0f}%n",
        label, events, (produced - started) / 1e9, seconds, events / seconds);
    // The benchmark samples CPU when it reads this line, so it must not wait in a buffer.
    System.out.flush();
  }

  private static List<ProducerRecord<byte[], byte[]>> payments(String topic, long policyId, long first, long last) {
    List<ProducerRecord<byte[], byte[]>> payments = new ArrayList<>((int) (last - first + 1));
    for (long seq = first; seq <= last; seq++) {
      String event = String.format("{\"eventId\":\"pay-%d\",\"eventType\":\"PAYMENT_COMPLETED\",\"timestamp\":"
          + "\"2026-01-01T10:05:00Z\",\"data\":{\"paymentId\":\"PAY-%d\",\"orderId\":\"O-%d\",\"userId\":%d,"
          + "\"amount\":47000,\"couponId\":%d,\"reservationId\":\"%d\",\"completedAt\":\"2026-01-01T10:05:00\"}}",
          seq, seq, seq, seq, CouponIds.couponId(policyId, seq), seq);
      payments.add(new ProducerRecord<>(topic, Long.toString(seq).getBytes(StandardCharsets.UTF_8),
          event.getBytes(StandardCharsets.UTF_8)));
    }
    return payments;
  }

  private static long committed(Admin admin, String topic) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("coupon-service")
        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    return offsets.entrySet().stream()
        .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
        .mapToLong(e -> e.getValue().offset())
        .sum();
  }
}
