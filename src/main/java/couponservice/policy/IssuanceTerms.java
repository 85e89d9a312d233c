package couponservice.policy;

import couponservice.journal.JournalEvents;
import couponservice.policy.CouponPolicy.CouponsIssued;
import couponservice.policy.CouponPolicy.PolicyCreated;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The terms of the coupons of an issuance event. An event carries them; one written before events carried them
 * was issued under the policy's creation terms, which are read once per policy from the policy's own journal.
 */
public final class IssuanceTerms {
  private final JournalEvents journal;
  private final Map<Long, PolicyDefinition> definitions = new ConcurrentHashMap<>();

  public IssuanceTerms(JournalEvents journal) {
    this.journal = journal;
  }

  public CompletionStage<IssuedTerms> of(CouponsIssued event) {
    if (event.terms() != null) {
      return CompletableFuture.completedFuture(event.terms());
    }
    PolicyDefinition known = definitions.get(event.policyId());
    CompletionStage<PolicyDefinition> definition = known != null
        ? CompletableFuture.completedFuture(known)
        : journal.first(CouponPolicy.persistenceId(event.policyId()).id()).thenApply(first -> {
            PolicyCreated created = first.filter(PolicyCreated.class::isInstance).map(PolicyCreated.class::cast)
                .orElseThrow(() -> new IllegalStateException("policy " + event.policyId() + " has no creation event"));
            definitions.put(event.policyId(), created.definition());
            return created.definition();
          });
    return definition.thenApply(d -> IssuedTerms.of(d, event.issuedAt()));
  }
}
