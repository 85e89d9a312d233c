package couponservice.operations;

import com.typesafe.config.Config;
import couponservice.StartupException;
import java.util.List;
import java.util.concurrent.CompletionStage;
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

  /**
   * Starts the management endpoint, then joins through seed nodes or starts cluster bootstrap; done
   * when the endpoint listens (joining goes on by itself).
   */
  public static CompletionStage<Done> start(ActorSystem<?> system, Config config) throws StartupException {
    String method = method(config);
    org.apache.pekko.actor.ActorSystem classic = Adapter.toClassic(system);
    PekkoManagement management = PekkoManagement.get(classic);
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "stop-management",
        () -> management.stop().thenApply(done -> Done.getInstance()));
    return management.start().thenApply(listening -> {
      if (method.equals("seed-nodes")) {
        Cluster cluster = Cluster.get(system);
        if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
          cluster.manager().tell(Join.create(cluster.selfMember().address()));
        }
      } else {
        ClusterBootstrap.get(classic).start();
      }
      return Done.getInstance();
    });
  }
}
