package couponservice.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import couponservice.node.ServiceConfig;
import couponservice.node.ServiceNode;
import couponservice.StartupException;
import couponservice.auth.AuthSettings;
import couponservice.auth.Authenticator;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Starts service nodes of the prod profile in this JVM against a {@link TestDatabase}. */
public final class TestNodes {
  public static final String JWT_SECRET = "test-secret-0123456789abcdef0123456789abcdef";

  private static final HttpClient managementClient = HttpClient.newHttpClient();

  private TestNodes() {}

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A configuration for one node; {@code seedPorts} empty means a single node that joins itself. */
  public static Config nodeConfig(TestDatabase database, int remotePort, List<Integer> seedPorts, Config extra) {
    return nodeConfig(database.config(), remotePort, seedPorts, extra);
  }

  /** The same on a database and broker of {@code infrastructure} (as {@link TestDatabase#config} gives them). */
  public static Config nodeConfig(Config infrastructure, int remotePort, List<Integer> seedPorts, Config extra) {
    List<String> seeds = new ArrayList<>();
    seedPorts.forEach(port -> seeds.add("pekko://" + ServiceConfig.SYSTEM_NAME + "@127.0.0.1:" + port));
    Config overrides = ConfigFactory.parseMap(Map.of(
            "coupon.http.port", 0,
            "coupon.http.interface", "127.0.0.1",
            "coupon.auth.jwt-secret", JWT_SECRET,
            "pekko.remote.artery.canonical.port", remotePort,
            "pekko.remote.artery.canonical.hostname", "127.0.0.1",
            "pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on",
            "pekko.management.http.port", freePort(),
            "pekko.management.http.bind-hostname", "127.0.0.1"))
        .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds));
    return extra.withFallback(overrides).withFallback(infrastructure);
  }

  public static ServiceNode start(Config nodeConfig) {
    return start(nodeConfig, Clock.systemUTC());
  }

  public static ServiceNode start(Config nodeConfig, Clock clock) {
    try {
      return ServiceNode.start(ServiceConfig.load("prod", nodeConfig, Map.of()), clock);
    } catch (StartupException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** The auth settings of a node of the prod profile: {@code coupon.auth} keys over the defaults. */
  public static AuthSettings authSettings(Map<String, ?> auth) {
    return AuthSettings.fromConfig(ServiceConfig.load("prod", ConfigFactory.parseMap(auth).atPath("coupon.auth"), Map.of()));
  }

  /** The authenticator a node of the prod profile builds with these {@code coupon.auth} keys. */
  public static Authenticator authenticator(Map<String, ?> auth, Clock clock) {
    try {
      return Authenticator.start(authSettings(auth), clock);
    } catch (StartupException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  public static ServiceNode startSingle(TestDatabase database) {
    return start(nodeConfig(database, freePort(), List.of(), ConfigFactory.empty()));
  }

  /** GET {@code path} on the node's management port (probes, cluster members). */
  public static HttpResponse<String> management(ServiceNode node, String path) {
    int port = node.system().settings().config().getInt("pekko.management.http.port");
    try {
      return managementClient.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("GET " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted during GET " + path, e);
    }
  }

  /**
   * Waits until every node passes its readiness check, as a load balancer would before sending traffic:
   * Up, every entity type registered with its shard coordinator, and the database answering.
   */
  public static void awaitReady(List<ServiceNode> nodes, Duration timeout) {
    Eventually.await(timeout, "all " + nodes.size() + " nodes ready", () ->
        nodes.stream().allMatch(node -> management(node, "/ready").statusCode() == 200));
  }

  /** The ids of the {@code type} entities that live on {@code node} now. */
  public static Set<String> entitiesInMemory(ServiceNode node, EntityTypeKey<?> type) {
    ActorSystem<Void> system = node.system();
    CurrentShardRegionState state = AskPattern.<ClusterShardingQuery, CurrentShardRegionState>ask(
            ClusterSharding.get(system).shardState(), replyTo -> new GetShardRegionState(type, replyTo),
            Duration.ofSeconds(5), system.scheduler())
        .toCompletableFuture().join();
    Set<String> ids = new HashSet<>();
    state.getShards().forEach(shard -> ids.addAll(shard.getEntityIds()));
    return ids;
  }
}
