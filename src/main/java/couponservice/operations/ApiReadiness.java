package couponservice.operations;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.pattern.Patterns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Readiness check (pekko-management instantiates it by class name with the actor system): this node's HTTP
 * API takes requests. Not before the node registers its binding here, once the port is bound; and no longer
 * from the first phase of coordinated shutdown (SIGTERM), a drain delay before the binding's own shutdown
 * task stops accepting connections, so that a load balancer polling {@code /ready} stops sending requests first.
 */
public final class ApiReadiness implements Supplier<CompletionStage<Boolean>> {
  private static final Logger log = LoggerFactory.getLogger(ApiReadiness.class);
  private static final Map<ActorSystem, Serving> SERVING = new ConcurrentHashMap<>();
  private static final String DRAIN_DELAY = "coupon.http.drain-delay";
  private static final String UNBIND_PHASE_TIMEOUT =
      "pekko.coordinated-shutdown.phases." + CoordinatedShutdown.PhaseBeforeServiceUnbind() + ".timeout";

  private final ActorSystem system;

  /** The binding, and whether shutdown has begun draining it. */
  private record Serving(ServerBinding binding, AtomicBoolean draining) {
    boolean takesRequests() {
      return !draining.get() && !binding.whenTerminationSignalIssued().toCompletableFuture().isDone();
    }
  }

  public ApiReadiness(ActorSystem system) {
    this.system = system;
  }

  /** The configured drain delay (COUPON_HTTP_DRAIN_DELAY); it must fit in the shutdown phase that waits it out. */
  public static Duration drainDelay(Config config) {
    Duration drainDelay = config.getDuration(DRAIN_DELAY);
    Duration limit = config.getDuration(UNBIND_PHASE_TIMEOUT);
    if (drainDelay.isNegative() || drainDelay.compareTo(limit) >= 0) {
      throw new IllegalArgumentException("COUPON_HTTP_DRAIN_DELAY must be at least 0s and below " + limit.toSeconds()
          + "s (" + UNBIND_PHASE_TIMEOUT + "), not " + config.getString(DRAIN_DELAY));
    }
    return drainDelay;
  }

  /**
   * The node's API is bound: ready from now on, until coordinated shutdown begins. Then the node reports not
   * ready and goes on serving for {@code drainDelay} before the next phase unbinds.
   */
  public static void register(ActorSystem system, ServerBinding binding, Duration drainDelay) {
    AtomicBoolean draining = new AtomicBoolean();
    SERVING.put(system, new Serving(binding, draining));
    system.getWhenTerminated().thenRun(() -> SERVING.remove(system));
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "report-not-ready", () -> {
      draining.set(true);
      log.info("Shutting down: reporting not ready, serving {} ms more before the HTTP port stops accepting",
          drainDelay.toMillis());
      return Patterns.after(drainDelay, system, () -> CompletableFuture.completedFuture(Done.getInstance()));
    });
  }

  @Override
  public CompletionStage<Boolean> get() {
    Serving serving = SERVING.get(system);
    return CompletableFuture.completedFuture(serving != null && serving.takesRequests());
  }
}
