package couponservice;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Assembles a node's configuration: explicit overrides, then system properties, then the profile
 * ({@code conf/dev.conf} or {@code conf/prod.conf}, which include application.conf), then Pekko's
 * reference.conf. Environment variables enter through the profile's {@code ${?VAR}} substitutions.
 */
public final class ServiceConfig {
  public static final String SYSTEM_NAME = "coupon-service";

  private ServiceConfig() {}

  public static Config load(String profile, Config overrides, Map<String, String> environment) {
    if (!profile.equals("dev") && !profile.equals("prod")) {
      throw new IllegalArgumentException("COUPON_PROFILE must be dev or prod, not " + profile);
    }
    Config seedNodes = seedNodes(environment.get("COUPON_SEED_NODES"));
    return overrides
        .withFallback(seedNodes)
        .withFallback(ConfigFactory.defaultOverrides())
        .withFallback(ConfigFactory.parseResourcesAnySyntax(profile))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }

  /** {@code COUPON_SEED_NODES=host1:2551,host2:2551} as Pekko seed-node addresses. */
  static Config seedNodes(String hostPorts) {
    if (hostPorts == null || hostPorts.isBlank()) {
      return ConfigFactory.empty();
    }
    List<String> addresses = Arrays.stream(hostPorts.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .map(hostPort -> {
          if (!hostPort.matches("[^:/@]+:\\d{1,5}")) {
            throw new IllegalArgumentException("COUPON_SEED_NODES entries must be host:port, not " + hostPort);
          }
          return "pekko://" + SYSTEM_NAME + "@" + hostPort;
        })
        .toList();
    return ConfigFactory.empty().withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(addresses));
  }
}
