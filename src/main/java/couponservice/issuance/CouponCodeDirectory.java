package couponservice.issuance;

import couponservice.Outcome;
import couponservice.policy.Policies;
import couponservice.policy.PolicyDefinition;
import couponservice.policy.PolicyRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Resolves coupon codes to policy ids for download requests. A code, once registered, names its policy
 * forever, so each node caches what the registry answered and a hot code never reaches the registry
 * twice. Unknown codes are not cached: the code may be registered a moment later.
 */
public final class CouponCodeDirectory {
  private final EntityRef<PolicyRegistry.Command> registry;
  private final Duration askTimeout;
  private final Executor callbacks;
  private final ConcurrentHashMap<String, Long> policyByCode = new ConcurrentHashMap<>();

  public CouponCodeDirectory(Policies policies, Duration askTimeout, Executor callbacks) {
    this.registry = policies.registry();
    this.askTimeout = askTimeout;
    this.callbacks = callbacks;
  }

  /** The id of the policy with {@code couponCode} (any case), or COUPON_CODE_NOT_FOUND. */
  public CompletionStage<Outcome<Long>> policyIdOf(String couponCode) {
    String code = PolicyDefinition.normalizeCode(couponCode);
    Long cached = policyByCode.get(code);
    if (cached != null) {
      return CompletableFuture.completedFuture(Outcome.ok(cached));
    }
    return registry
        .<Outcome<PolicyRegistry.Registration>>ask(replyTo -> new PolicyRegistry.ResolveCode(code, replyTo), askTimeout)
        .thenApplyAsync(outcome -> {
          if (outcome instanceof Outcome.Ok<PolicyRegistry.Registration> ok) {
            policyByCode.put(code, ok.value().policyId());
            return Outcome.ok(ok.value().policyId());
          }
          return ((Outcome.Rejected<PolicyRegistry.Registration>) outcome).cast();
        }, callbacks);
  }
}
