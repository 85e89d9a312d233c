package couponservice.operations;

import com.typesafe.config.Config;
import couponservice.StartupException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * How a node gets into its cluster: the management endpoint first (probes, and the contact point of
 * bootstrap), then seed nodes or cluster bootstrap over config or Kubernetes API discovery.
 */
public final class ClusterFormation {
  private static final List<String> METHODS = List.of("seed-nodes", "config", "kubernetes-api");
  private static final Duration MANAGEMENT_START_TIMEOUT = Duration.ofSeconds(10);

  private ClusterFormation() {}

  /** The discovery method, checked before anything starts. */
  public static String method(Config config) throws StartupException {
    String method = config.getString("coupon.discovery.method");
    if (!METHODS.contains(method)) {
      throw new StartupException("COUPON_DISCOVERY must be one of " + String.join(", ", METHODS) + ", not " + method, null);
    }
    if (method.equals("config")
        && config.getList("pekko.discovery.config.services.coupon-service.endpoints").isEmpty()) {
      throw new StartupException("COUPON_DISCOVERY=config needs COUPON_DISCOVERY_ENDPOINTS (host:port,...)", null);
    }
    return method;
  }

  public static void start(ActorSystem<?> system, Config config) throws StartupException {
    String method = method(config);
    org.apache.pekko.actor.ActorSystem classic = Adapter.toClassic(system);
    PekkoManagement management = PekkoManagement.get(classic);
    await(management.start(), "starting the management endpoint on port " + config.getInt("pekko.management.http.port"));
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "stop-management",
        () -> management.stop().thenApply(done -> Done.getInstance()));
    if (method.equals("seed-nodes")) {
      Cluster cluster = Cluster.get(system);
      if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
      }
    } else {
      ClusterBootstrap.get(classic).start();
    }
  }

  private static <T> T await(CompletionStage<T> stage, String what) throws StartupException {
    try {
      return stage.toCompletableFuture().get(MANAGEMENT_START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new StartupException(what + " failed: " + cause.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartupException(what + " was interrupted", e);
    }
  }
}
