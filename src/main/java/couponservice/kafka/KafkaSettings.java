package couponservice.kafka;

import com.typesafe.config.Config;
import java.time.Duration;

/** Kafka settings ({@code coupon.kafka} in kafka.conf). */
public record KafkaSettings(
    String bootstrapServers,
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
    return new KafkaSettings(k.getString("bootstrap-servers").trim(), k.getInt("dev-broker-port"),
        k.getString("topic-prefix"), k.getInt("partitions"), (short) k.getInt("replication-factor"),
        k.getString("topic-prefix") + k.getString("consumer-group"), k.getInt("parallelism-per-partition"),
        k.getInt("retry-attempts"), k.getDuration("retry-min-backoff"), k.getDuration("retry-max-backoff"),
        k.getDuration("restart-min-backoff"), k.getDuration("restart-max-backoff"), k.getBoolean("publish"));
  }

  public KafkaSettings withBootstrapServers(String servers) {
    return new KafkaSettings(servers, devBrokerPort, topicPrefix, partitions, replicationFactor, consumerGroup,
        parallelismPerPartition, retryAttempts, retryMinBackoff, retryMaxBackoff, restartMinBackoff, restartMaxBackoff,
        publish);
  }

  public String topic(String name) {
    return topicPrefix + name;
  }
}
