package couponservice.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kafka.conf read with environment variables of a test's choosing, and the client properties it gives. */
class KafkaSettingsTest {
  @TempDir
  static Path tls;

  /** A file where a trust store would be: the settings check only that it can be read. */
  private static String truststore() throws IOException {
    Path file = tls.resolve("truststore.p12");
    if (!Files.exists(file)) {
      Files.write(file, new byte[] {0});
    }
    return file.toString();
  }

  @Test
  void unsetItIsPlaintextWithEightPartitionsReplicatedOnce() {
    KafkaSettings settings = settings(Map.of("KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092"));
    assertEquals(Map.of("bootstrap.servers", "k1:9092,k2:9092", "security.protocol", "PLAINTEXT"),
        settings.clientProperties());
    assertEquals(8, settings.partitions());
    assertEquals(1, settings.replicationFactor());
    assertEquals(1, settings.minInSyncReplicas());
  }

  @Test
  void topicsAreReplicatedAsConfiguredWithAtMostTwoInSyncReplicasRequired() {
    KafkaSettings settings = settings(Map.of("KAFKA_TOPIC_REPLICATION_FACTOR", "3", "KAFKA_TOPIC_PARTITIONS", "24"));
    assertEquals(24, settings.partitions());
    assertEquals(3, settings.replicationFactor());
    assertEquals(2, settings.minInSyncReplicas());
    assertEquals(2, settings(Map.of("KAFKA_TOPIC_REPLICATION_FACTOR", "2")).minInSyncReplicas());
    assertThrows(IllegalArgumentException.class, () -> settings(Map.of("KAFKA_TOPIC_REPLICATION_FACTOR", "0")));
  }

  @Test
  void saslSslWithScramAndATrustStore() throws IOException {
    String password = "p\"a\\ss; word=x\nnext";
    KafkaSettings settings = settings(Map.of(
        "KAFKA_BOOTSTRAP_SERVERS", "kafka.internal:9093",
        "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
        "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
        "KAFKA_SASL_USERNAME", "coupon-service",
        "KAFKA_SASL_PASSWORD", password,
        "KAFKA_SSL_TRUSTSTORE_LOCATION", truststore(),
        "KAFKA_SSL_TRUSTSTORE_PASSWORD", "changeit"));
    Map<String, String> client = settings.clientProperties();
    assertEquals("SASL_SSL", client.get("security.protocol"));
    assertEquals("SCRAM-SHA-512", client.get("sasl.mechanism"));
    assertEquals(truststore(), client.get("ssl.truststore.location"));
    assertEquals("changeit", client.get("ssl.truststore.password"));

    AppConfigurationEntry login = login(client.get("sasl.jaas.config"));
    assertEquals("org.apache.kafka.common.security.scram.ScramLoginModule", login.getLoginModuleName());
    assertEquals(AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, login.getControlFlag());
    assertEquals(Map.of("username", "coupon-service", "password", password), login.getOptions(),
        "Kafka reads back exactly the credentials, quotes, backslashes and line breaks included");
  }

  @Test
  void plainUsesPlainsLoginModuleAndTheJvmTrustStoreWhenNoneIsGiven() {
    Map<String, String> client = settings(Map.of(
        "KAFKA_SECURITY_PROTOCOL", "sasl_ssl",
        "KAFKA_SASL_USERNAME", "api-key",
        "KAFKA_SASL_PASSWORD", "api-secret")).clientProperties();
    assertEquals("PLAIN", client.get("sasl.mechanism"));
    assertEquals("org.apache.kafka.common.security.plain.PlainLoginModule",
        login(client.get("sasl.jaas.config")).getLoginModuleName());
    assertFalse(client.containsKey("ssl.truststore.location"));
  }

  @Test
  void printedSettingsShowNoPassword() throws IOException {
    KafkaSettings settings = settings(Map.of(
        "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
        "KAFKA_SASL_USERNAME", "coupon-service",
        "KAFKA_SASL_PASSWORD", "very-secret-sasl",
        "KAFKA_SSL_TRUSTSTORE_LOCATION", truststore(),
        "KAFKA_SSL_TRUSTSTORE_PASSWORD", "very-secret-store"));
    assertFalse(settings.toString().contains("very-secret"), settings.toString());
    assertTrue(settings.toString().contains("coupon-service"));
  }

  @Test
  void inconsistentSecurityIsRefusedWithTheVariablesNamed() throws IOException {
    assertMessage("KAFKA_SECURITY_PROTOCOL", Map.of("KAFKA_SECURITY_PROTOCOL", "TLS"));
    assertMessage("KAFKA_SASL_MECHANISM", Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "KAFKA_SASL_MECHANISM", "GSSAPI",
        "KAFKA_SASL_USERNAME", "u", "KAFKA_SASL_PASSWORD", "p"));
    assertMessage("KAFKA_SASL_PASSWORD are required", Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
        "KAFKA_SASL_USERNAME", "u"));
    assertMessage("does not use them", Map.of("KAFKA_SASL_USERNAME", "u", "KAFKA_SASL_PASSWORD", "p"));
    assertMessage("does not use TLS", Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
        "KAFKA_SASL_USERNAME", "u", "KAFKA_SASL_PASSWORD", "p", "KAFKA_SSL_TRUSTSTORE_LOCATION", truststore()));
    assertMessage("/nowhere/truststore.p12 is not a readable file", Map.of("KAFKA_SECURITY_PROTOCOL", "SSL",
        "KAFKA_SSL_TRUSTSTORE_LOCATION", "/nowhere/truststore.p12"));
    assertMessage("without KAFKA_SSL_TRUSTSTORE_LOCATION", Map.of("KAFKA_SECURITY_PROTOCOL", "SSL",
        "KAFKA_SSL_TRUSTSTORE_PASSWORD", "p"));
  }

  private static void assertMessage(String part, Map<String, String> environment) {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> settings(environment));
    assertTrue(refused.getMessage().contains(part), refused.getMessage());
  }

  /** The one login entry of a JAAS line, parsed by Kafka's own parser. */
  private static AppConfigurationEntry login(String jaasLine) {
    List<AppConfigurationEntry> entries =
        JaasContext.loadClientContext(Map.of("sasl.jaas.config", new Password(jaasLine))).configurationEntries();
    assertEquals(1, entries.size());
    return entries.get(0);
  }

  /** kafka.conf with {@code environment} in place of the process's environment variables. */
  private static KafkaSettings settings(Map<String, String> environment) {
    Config config = ConfigFactory.parseMap(environment)
        .withFallback(ConfigFactory.parseResources("kafka.conf"))
        .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false));
    return KafkaSettings.fromConfig(config);
  }
}
