package couponservice;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * Requests an entity holds while it learns what it must know before deciding anything (a policy its
 * terms from the registry, a coupon its terms from its policy). The first request starts the lookup;
 * when the answer comes, all held requests are re-sent to the entity or refused with the lookup's refusal.
 */
public final class AwaitingRequests<C, K> {
  private final List<C> waiting = new ArrayList<>();

  /**
   * Holds {@code request}; the first one held starts {@code lookup}, whose outcome reaches the entity
   * wrapped by {@code loaded}. A lookup that fails outright is answered SERVICE_UNAVAILABLE.
   */
  public void hold(ActorContext<C> context, C request, Supplier<CompletionStage<Outcome<K>>> lookup,
      Function<Outcome<K>, C> loaded, String unavailable) {
    waiting.add(request);
    if (waiting.size() == 1) {
      context.pipeToSelf(lookup.get(), (outcome, failure) -> loaded.apply(failure == null
          ? outcome
          : Outcome.rejected(ErrorCode.SERVICE_UNAVAILABLE, unavailable)));
    }
  }

  /** Takes out every held request. */
  public List<C> release() {
    List<C> released = List.copyOf(waiting);
    waiting.clear();
    return released;
  }

  /** Refuses every held request with the lookup's refusal. */
  public void refuseAll(Outcome.Rejected<?> rejection) {
    for (C request : release()) {
      if (request instanceof Request<?> answered) {
        answered.refuse(rejection);
      }
    }
  }
}
