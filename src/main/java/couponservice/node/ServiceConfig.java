package couponservice.node;

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
    Config endpoints = discoveryEndpoints(environment.get("COUPON_DISCOVERY_ENDPOINTS"));
    return overrides
        .withFallback(seedNodes)
        .withFallback(endpoints)
        .withFallback(ConfigFactory.defaultOverrides())
        .withFallback(ConfigFactory.parseResourcesAnySyntax(profile))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }

  /** {@code COUPON_SEED_NODES=host1:2551,host2:2551} as Pekko seed-node addresses. */
  static Config seedNodes(String hostPorts) {
    List<String> addresses = hostPorts("COUPON_SEED_NODES", hostPorts).stream()
        .map(hostPort -> "pekko://" + SYSTEM_NAME + "@" + hostPort.host() + ":" + hostPort.port())
        .toList();
    return addresses.isEmpty()
        ? ConfigFactory.empty()
        : ConfigFactory.empty().withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(addresses));
  }

  /** {@code COUPON_DISCOVERY_ENDPOINTS=node1:8558,node2:8558} as the config discovery's endpoints. */
  static Config discoveryEndpoints(String hostPorts) {
    List<Map<String, Object>> endpoints = hostPorts("COUPON_DISCOVERY_ENDPOINTS", hostPorts).stream()
        .map(hostPort -> Map.<String, Object>of("host", hostPort.host(), "port", hostPort.port()))
        .toList();
    return endpoints.isEmpty()
        ? ConfigFactory.empty()
        : ConfigFactory.empty().withValue("pekko.discovery.config.services.coupon-service.endpoints",
            ConfigValueFactory.fromIterable(endpoints));
  }

  private record HostPort(String host, int port) {}

  private static List<HostPort> hostPorts(String variable, String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    return Arrays.stream(value.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .map(hostPort -> {
          if (!hostPort.matches("[^:/@]+:\\d{1,5}")) {
            throw new IllegalArgumentException(variable + " entries must be host:port, not " + hostPort);
          }
          int colon = hostPort.lastIndexOf(':');
          return new HostPort(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
        })
        .toList();
  }
}
