package couponservice.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Produces to and reads from a test broker, within one topic prefix. */
public final class KafkaProbe implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String prefix;
  private final Map<String, Object> clientProperties;
  private final KafkaProducer<byte[], byte[]> producer;
  private final Admin admin;

  /** On the shared test broker, within the database's topic prefix. */
  public KafkaProbe(TestDatabase database) {
    this(database.topicPrefix(), Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()));
  }

  /** With clients of these properties (a broker of the test's own, credentials). */
  public KafkaProbe(String prefix, Map<String, Object> clientProperties) {
    this.prefix = prefix;
    this.clientProperties = Map.copyOf(clientProperties);
    Properties producerProps = new Properties();
    producerProps.putAll(clientProperties);
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    this.producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
    this.admin = Admin.create(clientProperties);
  }

  public void produce(String topic, String key, String value) {
    produce(topic, null, key, value);
  }

  /** To one partition, or where the producer's partitioner puts it when {@code partition} is null. */
  public void produce(String topic, Integer partition, String key, String value) {
    try {
      producer.send(new ProducerRecord<>(prefix + topic, partition,
          key == null ? null : key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8)))
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("producing to " + topic + " failed", e);
    }
  }

  /** Creates a topic before the service does, as an operator may have, with a partition count of its own. */
  public void createTopic(String topic, int partitions) {
    try {
      admin.createTopics(List.of(new NewTopic(prefix + topic, partitions, (short) 1))).all().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("creating " + topic + " failed", e);
    }
  }

  /** Deletes a topic the service created, as a broker outage or an operator's mistake may take it away. */
  public void deleteTopic(String topic) {
    try {
      admin.deleteTopics(List.of(prefix + topic)).all().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("deleting " + topic + " failed", e);
    }
  }

  /** Every record now in the topic, read from the beginning by a fresh consumer group. */
  public List<ConsumerRecord<byte[], byte[]>> records(String topic) {
    Properties props = new Properties();
    props.putAll(clientProperties);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "probe-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(prefix + topic).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }
  }

  /** The JSON values of {@link #records}. */
  public List<JsonNode> values(String topic) {
    return records(topic).stream().map(record -> {
      try {
        return JSON.readTree(record.value());
      } catch (IOException e) {
        throw new AssertionError("not JSON in " + topic, e);
      }
    }).toList();
  }

  /** One configuration entry of a topic, as the broker describes it (with its source: set for the topic or a default). */
  public ConfigEntry topicConfig(String topic, String name) {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, prefix + topic);
    try {
      return admin.describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource).get(name);
    } catch (Exception e) {
      throw new IllegalStateException("describing " + topic + " failed", e);
    }
  }

  /** Offsets the service's consumer group committed on {@code topic}, summed over its partitions. */
  public long committed(String topic) {
    try {
      Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(prefix + "coupon-service")
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      return offsets.entrySet().stream()
          .filter(e -> e.getKey().topic().equals(prefix + topic) && e.getValue() != null)
          .mapToLong(e -> e.getValue().offset())
          .sum();
    } catch (Exception e) {
      throw new IllegalStateException("reading committed offsets failed", e);
    }
  }

  public static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    producer.close();
    admin.close();
  }
}
