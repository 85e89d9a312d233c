package couponservice.kafka;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;

/** Kafka settings ({@code coupon.kafka} in kafka.conf). */
public record KafkaSettings(
    String bootstrapServers,
    KafkaSecurity security,
    int devBrokerPort,
    String topicPrefix,
    int partitions,
    short replicationFactor,
    String consumerGroup,
    int parallelismPerPartition,
    int retryAttempts,
    Duration retryMinBackoff,
    Duration retryMaxBackoff,
    Duration restartMinBackoff,
    Duration restartMaxBackoff,
    boolean publish) {

  public static KafkaSettings fromConfig(Config config) {
    Config k = config.getConfig("coupon.kafka");
    int replicationFactor = k.getInt("replication-factor");
    if (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE || k.getInt("partitions") < 1) {
      throw new IllegalArgumentException("KAFKA_TOPIC_REPLICATION_FACTOR and KAFKA_TOPIC_PARTITIONS must be positive");
    }
    return new KafkaSettings(k.getString("bootstrap-servers").trim(), KafkaSecurity.fromConfig(k.getConfig("security")),
        k.getInt("dev-broker-port"), k.getString("topic-prefix"), k.getInt("partitions"), (short) replicationFactor,
        k.getString("topic-prefix") + k.getString("consumer-group"), k.getInt("parallelism-per-partition"),
        k.getInt("retry-attempts"), k.getDuration("retry-min-backoff"), k.getDuration("retry-max-backoff"),
        k.getDuration("restart-min-backoff"), k.getDuration("restart-max-backoff"), k.getBoolean("publish"));
  }

  public KafkaSettings withBootstrapServers(String servers) {
    return new KafkaSettings(servers, security, devBrokerPort, topicPrefix, partitions, replicationFactor, consumerGroup,
        parallelismPerPartition, retryAttempts, retryMinBackoff, retryMaxBackoff, restartMinBackoff, restartMaxBackoff,
        publish);
  }

  /**
   * What every Kafka client of the service (consumers, producers, admin clients) is created with: the brokers and
   * their security. The one place a client gets them, so none can connect without the credentials.
   */
  public Map<String, String> clientProperties() {
    Map<String, String> properties = new HashMap<>(security.clientProperties());
    properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return Map.copyOf(properties);
  }

  /** Topics are created with {@code min.insync.replicas} = min(2, replication factor): one broker may be down. */
  public int minInSyncReplicas() {
    return Math.min(2, replicationFactor);
  }

  public String topic(String name) {
    return topicPrefix + name;
  }
}
