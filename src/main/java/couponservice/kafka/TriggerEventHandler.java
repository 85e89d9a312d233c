package couponservice.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import couponservice.AskDeadline;
import couponservice.ErrorCode;
import couponservice.Outcome;
import couponservice.Json;
import couponservice.policy.CouponPolicy;
import couponservice.policy.IssueChannel;
import couponservice.policy.IssuedCoupon;
import couponservice.policy.Policies;
import couponservice.policy.PolicyRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * {@code coupon.trigger.v1}: issues every active EVENT policy whose {@code triggerEventType} is the
 * message's {@code eventType} to its {@code userId}, once per {@code eventId}: the eventId is the
 * issue's idempotency key in each policy, so a redelivery gets the first outcome instead of a coupon.
 * Policies that refuse (inactive, sold out, user at its limit) are simply not issued.
 */
public final class TriggerEventHandler implements MessageHandler {
  private final Policies policies;
  private final Retries retries;
  private final Duration askTimeout;
  private final Executor callbacks;
  private final Clock clock;

  TriggerEventHandler(Policies policies, Retries retries, Duration askTimeout, Executor callbacks, Clock clock) {
    this.clock = clock;
    this.policies = policies;
    this.retries = retries;
    this.askTimeout = askTimeout;
    this.callbacks = callbacks;
  }

  record Trigger(String eventId, String eventType, long userId) {}

  @Override
  public CompletionStage<Handled> handle(org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> record) {
    Trigger trigger;
    try {
      trigger = parse(record.value());
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(Handled.deadLetter("unreadable trigger event: " + e.getMessage()));
    }
    return retries.<PolicyRegistry.TriggeredPolicies>untilFinal(() -> policies.registry()
            .ask(replyTo -> new PolicyRegistry.FindTriggered(trigger.eventType(), replyTo), askTimeout))
        .thenComposeAsync(found -> {
          if (found instanceof Outcome.Rejected<PolicyRegistry.TriggeredPolicies> rejected) {
            return CompletableFuture.completedFuture(Handled.deadLetter(rejected.code() + ": " + rejected.message()));
          }
          List<Long> policies = ((Outcome.Ok<PolicyRegistry.TriggeredPolicies>) found).value().policyIds();
          List<CompletableFuture<Outcome<IssuedCoupon>>> issues = policies.stream()
              .map(policyId -> issue(policyId, trigger).toCompletableFuture())
              .toList();
          return CompletableFuture.allOf(issues.toArray(CompletableFuture[]::new))
              .thenApply(all -> handled(policies, issues.stream().map(CompletableFuture::join).toList()));
        }, callbacks);
  }

  /**
   * A policy's refusal (sold out, already issued to the user, inactive) is its answer to the trigger. One still
   * unavailable after the retries issued nothing: the trigger goes to the dead-letter topic instead of counting
   * as applied.
   */
  static Handled handled(List<Long> policies, List<Outcome<IssuedCoupon>> outcomes) {
    for (int i = 0; i < outcomes.size(); i++) {
      if (outcomes.get(i) instanceof Outcome.Rejected<IssuedCoupon> rejected
          && rejected.code() == ErrorCode.SERVICE_UNAVAILABLE) {
        return Handled.deadLetter(rejected.code() + ": policy " + policies.get(i) + ": " + rejected.message());
      }
    }
    return Handled.APPLIED;
  }

  private CompletionStage<Outcome<IssuedCoupon>> issue(long policyId, Trigger trigger) {
    return retries.untilFinal(() -> policies.policy(policyId)
        .ask(replyTo -> new CouponPolicy.Issue(trigger.userId(), IssueChannel.EVENT, "trigger:" + trigger.eventId(),
            trigger.eventId(), AskDeadline.respondBy(clock, askTimeout), replyTo), askTimeout));
  }

  static Trigger parse(byte[] value) {
    JsonNode root;
    try {
      root = value == null ? null : Json.MAPPER.readTree(value);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON");
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    JsonNode eventId = root.get("eventId");
    JsonNode eventType = root.get("eventType");
    JsonNode userId = root.get("userId");
    if (eventId == null || !eventId.isTextual() && !eventId.isNumber() || eventId.asText().isBlank()) {
      throw new IllegalArgumentException("eventId is missing");
    }
    if (eventId.asText().length() > 50) {
      throw new IllegalArgumentException("eventId is longer than 50 characters");
    }
    if (eventType == null || !eventType.isTextual() || eventType.asText().isBlank()) {
      throw new IllegalArgumentException("eventType is missing");
    }
    if (userId == null || !userId.canConvertToLong() || !userId.isIntegralNumber() || userId.asLong() <= 0) {
      throw new IllegalArgumentException("userId must be a positive integer");
    }
    return new Trigger(eventId.asText(), eventType.asText(), userId.asLong());
  }
}
