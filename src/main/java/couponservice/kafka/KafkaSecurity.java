package couponservice.kafka;

import com.typesafe.config.Config;
import couponservice.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * How every Kafka client of the service authenticates and encrypts ({@code coupon.kafka.security}):
 * Kafka's security protocol, the SASL mechanism and credentials, and the trust store for TLS.
 *
 * @param saslMechanism PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; used with the SASL protocols only
 * @param truststoreLocation empty: the JVM's default trust store
 */
public record KafkaSecurity(
    String protocol,
    String saslMechanism,
    String saslUsername,
    Secret saslPassword,
    String truststoreLocation,
    Secret truststorePassword) {

  static final List<String> PROTOCOLS = List.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
  static final List<String> SASL_MECHANISMS = List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");

  /**
   * Rejects combinations a broker would only answer with a timeout or a confusing handshake error, and a trust
   * store that is not there (Kafka's client would report only the file name).
   */
  public KafkaSecurity {
    if (!PROTOCOLS.contains(protocol)) {
      throw new IllegalArgumentException("KAFKA_SECURITY_PROTOCOL must be one of " + PROTOCOLS + ", not " + protocol);
    }
    if (usesSasl(protocol)) {
      if (!SASL_MECHANISMS.contains(saslMechanism)) {
        throw new IllegalArgumentException("KAFKA_SASL_MECHANISM must be one of " + SASL_MECHANISMS + ", not "
            + saslMechanism);
      }
      if (saslUsername.isEmpty() || saslPassword.isEmpty()) {
        throw new IllegalArgumentException("KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with "
            + "KAFKA_SECURITY_PROTOCOL=" + protocol);
      }
    } else if (!saslUsername.isEmpty() || !saslPassword.isEmpty()) {
      throw new IllegalArgumentException("KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD are set but "
          + "KAFKA_SECURITY_PROTOCOL=" + protocol + " does not use them (SASL_SSL or SASL_PLAINTEXT does)");
    }
    if (!usesTls(protocol) && !truststoreLocation.isEmpty()) {
      throw new IllegalArgumentException("KAFKA_SSL_TRUSTSTORE_LOCATION is set but KAFKA_SECURITY_PROTOCOL="
          + protocol + " does not use TLS (SSL or SASL_SSL does)");
    }
    if (!truststoreLocation.isEmpty() && !Files.isReadable(Path.of(truststoreLocation))) {
      throw new IllegalArgumentException("KAFKA_SSL_TRUSTSTORE_LOCATION " + truststoreLocation + " is not a readable file");
    }
    if (truststoreLocation.isEmpty() && !truststorePassword.isEmpty()) {
      throw new IllegalArgumentException("KAFKA_SSL_TRUSTSTORE_PASSWORD is set without KAFKA_SSL_TRUSTSTORE_LOCATION");
    }
  }

  /** {@code security} of {@code coupon.kafka}. */
  static KafkaSecurity fromConfig(Config security) {
    return new KafkaSecurity(
        security.getString("protocol").trim().toUpperCase(Locale.ROOT),
        security.getString("sasl-mechanism").trim().toUpperCase(Locale.ROOT),
        security.getString("sasl-username"),
        new Secret(security.getString("sasl-password")),
        security.getString("ssl-truststore-location").trim(),
        new Secret(security.getString("ssl-truststore-password")));
  }

  /** The security properties of a Kafka client; the SASL login is built here so no credential is ever templated. */
  Map<String, String> clientProperties() {
    Map<String, String> properties = new HashMap<>();
    properties.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
    if (usesSasl(protocol)) {
      properties.put(SaslConfigs.SASL_MECHANISM, saslMechanism);
      properties.put(SaslConfigs.SASL_JAAS_CONFIG, jaasConfig());
    }
    if (!truststoreLocation.isEmpty()) {
      properties.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, truststoreLocation);
      if (!truststorePassword.isEmpty()) {
        properties.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, truststorePassword.value());
      }
    }
    return properties;
  }

  /** The JAAS line Kafka's SASL client logs in with: PLAIN's or SCRAM's login module, the credentials quoted. */
  String jaasConfig() {
    String module = saslMechanism.equals("PLAIN")
        ? "org.apache.kafka.common.security.plain.PlainLoginModule"
        : "org.apache.kafka.common.security.scram.ScramLoginModule";
    return module + " required username=" + quoted(saslUsername) + " password=" + quoted(saslPassword.value()) + ";";
  }

  /**
   * A JAAS option value: Kafka's parser reads quoted values with {@link java.io.StreamTokenizer}, which ends a
   * value at a quote or a line break and unescapes backslashes, so those are escaped.
   */
  static String quoted(String value) {
    StringBuilder quoted = new StringBuilder(value.length() + 2).append('"');
    for (char c : value.toCharArray()) {
      switch (c) {
        case '\\' -> quoted.append("\\\\");
        case '"' -> quoted.append("\\\"");
        case '\n' -> quoted.append("\\n");
        case '\r' -> quoted.append("\\r");
        default -> quoted.append(c);
      }
    }
    return quoted.append('"').toString();
  }

  private static boolean usesSasl(String protocol) {
    return protocol.startsWith("SASL_");
  }

  private static boolean usesTls(String protocol) {
    return protocol.endsWith("SSL");
  }
}
