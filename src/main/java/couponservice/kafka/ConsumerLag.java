package couponservice.kafka;

import couponservice.metrics.CouponMetrics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The consumer group's lag per consumed topic (end offsets minus committed offsets, as Kafka's own
 * tools compute it), reported as a gauge every few seconds. It is the group's lag, so every node
 * reports the same figure.
 */
final class ConsumerLag {
  private static final Duration INTERVAL = Duration.ofSeconds(5);

  private ConsumerLag() {}

  static void report(ActorSystem<?> system, KafkaSettings settings, List<String> topics) {
    Admin admin = Admin.create(Map.<String, Object>copyOf(settings.clientProperties()));
    system.scheduler().scheduleWithFixedDelay(Duration.ZERO, INTERVAL, () -> measure(admin, settings, topics),
        system.executionContext());
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-lag-admin",
        () -> CompletableFuture.supplyAsync(() -> {
          admin.close(Duration.ofSeconds(2));
          return Done.getInstance();
        }));
  }

  private static void measure(Admin admin, KafkaSettings settings, List<String> topics) {
    KafkaFuture<Map<TopicPartition, OffsetAndMetadata>> committed =
        admin.listConsumerGroupOffsets(settings.consumerGroup()).partitionsToOffsetAndMetadata();
    admin.describeTopics(topics.stream().map(settings::topic).toList()).allTopicNames().thenApply(described -> {
      Map<TopicPartition, OffsetSpec> latest = described.values().stream()
          .flatMap(d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
          .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
      admin.listOffsets(latest).all().whenComplete((ends, endsFailed) -> committed.whenComplete((done, doneFailed) -> {
        if (endsFailed == null && doneFailed == null) {
          record(settings, ends, done);
        }
      }));
      return null;
    });
  }

  private static void record(KafkaSettings settings, Map<TopicPartition, ListOffsetsResultInfo> ends,
      Map<TopicPartition, OffsetAndMetadata> committed) {
    Map<String, Long> lagByTopic = new HashMap<>();
    ends.forEach((partition, end) -> {
      OffsetAndMetadata done = committed.get(partition);
      long lag = Math.max(0, end.offset() - (done == null ? 0 : done.offset()));
      lagByTopic.merge(partition.topic(), lag, Long::sum);
    });
    lagByTopic.forEach((topic, lag) -> CouponMetrics.KAFKA_CONSUMER_LAG
        .labelValues(topic.substring(settings.topicPrefix().length())).set(lag));
  }
}
