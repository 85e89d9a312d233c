package couponservice.deadletter;

import couponservice.CouponException;
import couponservice.ErrorCode;
import couponservice.kafka.KafkaSettings;
import couponservice.kafka.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the dead-letter topics themselves — they are the store of dead letters, nothing is copied elsewhere — with a
 * short-lived consumer per request: it assigns the partitions it needs (no consumer group, nothing committed),
 * seeks, reads within {@code timeout}, and is closed. Blocking; callers run it on the blocking dispatcher.
 */
final class DeadLetterLog {
  private static final Duration POLL = Duration.ofMillis(100);

  private final KafkaSettings settings;
  private final Duration timeout;

  DeadLetterLog(KafkaSettings settings, Duration timeout) {
    this.settings = settings;
    this.timeout = timeout;
  }

  /** The dead-letter topic of consumed topic {@code topic}, with the environment's prefix. */
  private String deadLetterTopic(String topic) {
    return settings.topic(topic + Topics.DLQ_SUFFIX);
  }

  /** Up to {@code limit} records of {@code topic}'s dead letters after {@code cursor}, oldest first. */
  OldestFirst.Selection page(DeadLetterCursor cursor, int limit) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      List<TopicPartition> partitions = partitionsOf(consumer, deadLetterTopic(cursor.topic()));
      Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions, timeout);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
      Map<Integer, Long> starts = new HashMap<>();
      Map<Integer, Long> endOffsets = new HashMap<>();
      Map<Integer, List<ConsumerRecord<byte[], byte[]>>> read = new HashMap<>();
      List<TopicPartition> toRead = new ArrayList<>();
      for (TopicPartition partition : partitions) {
        long start = cursor.start(partition.partition(), beginnings.get(partition), ends.get(partition));
        starts.put(partition.partition(), start);
        endOffsets.put(partition.partition(), ends.get(partition));
        read.put(partition.partition(), new ArrayList<>());
        if (start < ends.get(partition)) {
          toRead.add(partition);
        }
      }
      consumer.assign(toRead);
      toRead.forEach(partition -> consumer.seek(partition, starts.get(partition.partition())));
      // Every partition is read up to `limit` records or its end, so that the oldest of them all can be chosen.
      while (!toRead.isEmpty()) {
        requireTime(deadline);
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          List<ConsumerRecord<byte[], byte[]>> records = read.get(record.partition());
          if (record.offset() < endOffsets.get(record.partition()) && records.size() < limit) {
            records.add(record);
          }
        }
        List<TopicPartition> done = toRead.stream()
            .filter(partition -> read.get(partition.partition()).size() >= limit
                || consumer.position(partition) >= ends.get(partition))
            .toList();
        consumer.pause(done);
        toRead.removeAll(done);
      }
      return OldestFirst.select(read, starts, endOffsets, limit);
    }
  }

  /** The record {@code id} names, if the dead-letter topic still holds it. */
  Optional<ConsumerRecord<byte[], byte[]>> find(DeadLetterId id) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      TopicPartition partition = new TopicPartition(deadLetterTopic(id.topic()), id.partition());
      if (partitionsOf(consumer, partition.topic()).stream().noneMatch(partition::equals)) {
        return Optional.empty();
      }
      long beginning = consumer.beginningOffsets(List.of(partition), timeout).get(partition);
      long end = consumer.endOffsets(List.of(partition), timeout).get(partition);
      if (id.offset() < beginning || id.offset() >= end) {
        return Optional.empty();
      }
      consumer.assign(List.of(partition));
      consumer.seek(partition, id.offset());
      while (consumer.position(partition) < end) {
        requireTime(deadline);
        ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
        if (!records.isEmpty()) {
          // The first record at or after the offset: the one named, unless another took its place.
          ConsumerRecord<byte[], byte[]> first = records.iterator().next();
          return first.offset() == id.offset() && first.timestamp() == id.timestamp()
              ? Optional.of(first)
              : Optional.empty();
        }
      }
      return Optional.empty();
    }
  }

  private List<TopicPartition> partitionsOf(KafkaConsumer<byte[], byte[]> consumer, String topic) {
    List<PartitionInfo> partitions = consumer.partitionsFor(topic, timeout);
    return partitions == null ? List.of()
        : partitions.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
  }

  private static void requireTime(long deadline) {
    if (System.nanoTime() > deadline) {
      throw kafkaTooSlow();
    }
  }

  static CouponException kafkaTooSlow() {
    return new CouponException(ErrorCode.SERVICE_UNAVAILABLE, "Kafka did not answer in time; retry later");
  }

  private KafkaConsumer<byte[], byte[]> consumer() {
    Map<String, Object> properties = new HashMap<>(settings.clientProperties());
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // Reading must never create a dead-letter topic that is not there.
    properties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    properties.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    return new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
