package couponservice.kafka;

import couponservice.testkit.Eventually;
import couponservice.testkit.TestNodes;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.config.SaslConfigs;

/**
 * An in-process broker of a test's own with a SASL_PLAINTEXT listener (SCRAM-SHA-256, no authorizer) beside its
 * PLAINTEXT one, on free ports. Users are created over PLAINTEXT through the Admin API, as an operator would.
 */
public final class SaslKafka implements AutoCloseable {
  public static final String MECHANISM = "SCRAM-SHA-256";

  private final EmbeddedKafka broker;
  private final int saslPort;

  private SaslKafka(EmbeddedKafka broker, int saslPort) {
    this.broker = broker;
    this.saslPort = saslPort;
  }

  public static SaslKafka start() throws Exception {
    int saslPort = TestNodes.freePort();
    EmbeddedKafka broker = EmbeddedKafka.start(0, Map.of("SASL_PLAINTEXT", saslPort), Map.of(
        "sasl.enabled.mechanisms", MECHANISM,
        "listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;"));
    return new SaslKafka(broker, saslPort);
  }

  /** The SASL listener, the one the service is pointed at. */
  public String saslBootstrapServers() {
    return "localhost:" + saslPort;
  }

  /** Creates (or changes) a SCRAM user: the controller has it on return, the broker a moment later. */
  public void createUser(String name, String password) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(name,
              new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), password)))
          .all().get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Waits until {@code user} can log in on the SASL listener. The broker applies the controller's metadata in
   * order, so users created before it can log in too.
   */
  public void awaitLogin(String user, String password) {
    Eventually.await(Duration.ofSeconds(10), user + " logging in", () -> {
      try (Admin admin = Admin.create(clientProperties(user, password))) {
        admin.describeCluster().clusterId().get(5, TimeUnit.SECONDS);
        return true;
      } catch (Exception notYet) {
        return false;
      }
    });
  }

  /**
   * Properties of a client of the test's own logging in as {@code user}, written out as Kafka's docs show them
   * (so the password must need no escaping).
   */
  public Map<String, Object> clientProperties(String user, String password) {
    Map<String, Object> properties = new HashMap<>();
    properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, saslBootstrapServers());
    properties.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
    properties.put(SaslConfigs.SASL_MECHANISM, MECHANISM);
    properties.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule required "
        + "username=\"" + user + "\" password=\"" + password + "\";");
    return properties;
  }

  @Override
  public void close() throws Exception {
    broker.close();
  }
}
