package couponservice.kafka;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/** The topics of API.md "Kafka", created at startup when missing. */
public final class Topics {
  public static final String PAYMENT_COMPLETED = "payment.completed.v1";
  public static final String PAYMENT_FAILED = "payment.failed.v1";
  public static final String COUPON_TRIGGER = "coupon.trigger.v1";
  public static final String COUPON_ISSUED = "coupon.issued";
  public static final String COUPON_RESERVED = "coupon.reserved";
  public static final String COUPON_USED = "coupon.used";
  public static final String COUPON_EXPIRED = "coupon.expired";
  public static final String COUPON_CANCELLED = "coupon.cancelled";
  public static final String DLQ_SUFFIX = ".DLQ";

  /** The topics the service consumes, each with its dead-letter topic {@code {topic}.DLQ}. */
  public static final List<String> CONSUMED = List.of(PAYMENT_COMPLETED, PAYMENT_FAILED, COUPON_TRIGGER);
  static final List<String> PUBLISHED = List.of(COUPON_ISSUED, COUPON_RESERVED, COUPON_USED, COUPON_EXPIRED,
      COUPON_CANCELLED);

  private Topics() {}

  /** Creates the topics that do not exist yet; fails if the cluster cannot be reached in time. */
  public static void ensure(KafkaSettings settings) throws Exception {
    Map<String, Object> adminProperties = new HashMap<>(settings.clientProperties());
    adminProperties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
    adminProperties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    Map<String, String> topicConfig =
        Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(settings.minInSyncReplicas()));
    try (Admin admin = Admin.create(adminProperties)) {
      Set<String> existing = admin.listTopics().names().get(20, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      List<String> wanted = new ArrayList<>(PUBLISHED);
      for (String consumed : CONSUMED) {
        wanted.add(consumed);
        wanted.add(consumed + DLQ_SUFFIX);
      }
      for (String name : wanted) {
        String topic = settings.topic(name);
        if (!existing.contains(topic)) {
          missing.add(new NewTopic(topic, settings.partitions(), settings.replicationFactor()).configs(topicConfig));
        }
      }
      // Per topic: another node starting at the same moment may create some of them first.
      for (Map.Entry<String, KafkaFuture<Void>> created : admin.createTopics(missing).values().entrySet()) {
        try {
          created.getValue().get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
    }
  }
}
