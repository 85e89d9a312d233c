package couponservice.policy;

import couponservice.EntityAnswers;
import couponservice.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The policy feature on a node: the registry and the policy entities, sharded; and what other features ask of
 * them — a policy's registration and the terms of a coupon a policy issued.
 */
public final class Policies {
  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final Executor dispatcher;

  private Policies(ClusterSharding sharding, Duration askTimeout, Executor dispatcher) {
    this.sharding = sharding;
    this.askTimeout = askTimeout;
    this.dispatcher = dispatcher;
  }

  public static Policies start(ActorSystem<?> system, PolicySettings settings, Clock clock, Duration askTimeout) {
    ClusterSharding sharding = ClusterSharding.get(system);
    Policies policies = new Policies(sharding, askTimeout, system.executionContext());
    PolicyRegistry.init(sharding, clock);
    CouponPolicy.init(sharding, policies::registration, clock, settings);
    return policies;
  }

  /** What policy {@code policyId} was registered with: how a policy entity that was never created learns it. */
  public CompletionStage<Outcome<PolicyRegistry.Registration>> registration(long policyId) {
    return EntityAnswers.onDispatcher(registry().<Outcome<PolicyRegistry.Registration>>ask(
        replyTo -> new PolicyRegistry.Lookup(policyId, replyTo), askTimeout), dispatcher);
  }

  public EntityRef<CouponPolicy.Command> policy(long policyId) {
    return sharding.entityRefFor(CouponPolicy.ENTITY_KEY, Long.toString(policyId));
  }

  public EntityRef<PolicyRegistry.Command> registry() {
    return sharding.entityRefFor(PolicyRegistry.ENTITY_KEY, PolicyRegistry.ENTITY_ID);
  }
}
