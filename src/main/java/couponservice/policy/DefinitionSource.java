package couponservice.policy;

import couponservice.Outcome;
import java.util.concurrent.CompletionStage;

/** Where a policy entity learns the terms it was registered with (the {@link PolicyRegistry}). */
@FunctionalInterface
public interface DefinitionSource {
  CompletionStage<Outcome<PolicyRegistry.Registration>> lookup(long policyId);
}
