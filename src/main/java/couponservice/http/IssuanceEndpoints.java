package couponservice.http;

import couponservice.CouponException;
import couponservice.ErrorCode;
import couponservice.Outcome;
import couponservice.auth.Caller;
import couponservice.issuance.CouponCodeDirectory;
import couponservice.metrics.CouponMetrics;
import couponservice.policy.CouponPolicy;
import couponservice.policy.DirectIssueResult;
import couponservice.policy.IssueChannel;
import couponservice.policy.IssuedCoupon;
import couponservice.policy.Policies;
import couponservice.policy.PolicyDefinition;
import couponservice.policy.PolicyView;
import couponservice.ratelimit.IssueRateLimiter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/** Issuance: by code ({@code /api/coupons/download}), by policy id (the flash sale's request), and admin batches. */
public final class IssuanceEndpoints {
  public static final int MAX_DIRECT_ISSUE_USERS = 10_000;

  private final HttpContext http;
  private final Policies policies;
  private final CouponCodeDirectory codes;
  private final IssueRateLimiter rateLimiter;

  public IssuanceEndpoints(HttpContext http, Policies policies, CouponCodeDirectory codes,
      IssueRateLimiter rateLimiter) {
    this.http = http;
    this.policies = policies;
    this.codes = codes;
    this.rateLimiter = rateLimiter;
  }

  public List<Endpoint> endpoints() {
    return List.of(
        Endpoint.post("/api/coupon-policies/{policyId}/issue", this::issueByPolicy),
        Endpoint.post("/api/coupons/download", this::downloadByCode),
        Endpoint.post("/api/coupons/direct-issue", this::directIssue),
        Endpoint.get("/api/coupons/validate/{couponCode}", this::validate));
  }

  private CompletionStage<HttpResponse> issueByPolicy(ApiRequest request) {
    Caller caller = request.caller();
    long policyId = request.id("policyId");
    return request.jsonBody().thenCompose(body -> {
      long userId = body.requiredId("userId");
      caller.requireSelfOrAdmin(userId);
      String key = request.idempotencyKey();
      return rateLimited(userId, () -> issue(request, policyId, userId, IssueChannel.BY_POLICY, key));
    });
  }

  private CompletionStage<HttpResponse> downloadByCode(ApiRequest request) {
    Caller caller = request.caller();
    return request.jsonBody().thenCompose(body -> {
      String couponCode = body.requiredString("couponCode", 50);
      if (!PolicyDefinition.isWellFormedCode(couponCode)) {
        throw CouponException.invalid("couponCode must be 1-50 characters of A-Z a-z 0-9 _ -");
      }
      long userId = body.requiredId("userId");
      caller.requireSelfOrAdmin(userId);
      String key = request.idempotencyKey();
      return rateLimited(userId, () -> codes.policyIdOf(couponCode).thenComposeAsync(policyId ->
          policyId instanceof Outcome.Ok<Long> ok
              ? issue(request, ok.value(), userId, IssueChannel.BY_CODE, key)
              : CompletableFuture.completedFuture(((Outcome.Rejected<Long>) policyId).<IssuedCoupon>cast()),
          http.callbacks()));
    });
  }

  /** The user's issuance rate limit first: over it, 429 with Retry-After and nothing issued. */
  private CompletionStage<HttpResponse> rateLimited(long userId, Supplier<CompletionStage<Outcome<IssuedCoupon>>> issue) {
    // Redis answers on its client's thread: the issue is asked from the dispatcher.
    return rateLimiter.check(userId).thenComposeAsync(decision -> {
      if (decision.degraded()) {
        CouponMetrics.RATE_LIMIT.labelValues("degraded").inc();
      }
      if (decision.allowed()) {
        return http.reply(issue.get(), 201);
      }
      CouponMetrics.RATE_LIMIT.labelValues("rejected").inc();
      return CompletableFuture.completedFuture(http.responses()
          .error(ErrorCode.COUPON_ISSUE_LIMIT_EXCEEDED, "too many coupon issuances for this user; retry later")
          .addHeader(RawHeader.create("Retry-After", Long.toString(decision.retryAfterSeconds()))));
    }, http.callbacks());
  }

  private CompletionStage<Outcome<IssuedCoupon>> issue(ApiRequest request, long policyId, long userId,
      IssueChannel channel, String key) {
    return http.ask(policy(policyId), replyTo -> new CouponPolicy.Issue(userId, channel, key, request.requestId(),
        request.respondBy(), replyTo));
  }

  private CompletionStage<HttpResponse> directIssue(ApiRequest request) {
    Caller caller = request.caller();
    caller.requireAdmin();
    return request.jsonBody().thenCompose(body -> {
      long policyId = body.requiredId("couponPolicyId");
      List<Long> userIds = body.requiredDistinctIds("userIds", MAX_DIRECT_ISSUE_USERS);
      String issuedBy = Optional.ofNullable(body.optionalString("issuedBy", 100)).orElse(caller.subject());
      return http.reply(http.<CouponPolicy.Command, DirectIssueResult>ask(policy(policyId), replyTo ->
          new CouponPolicy.DirectIssue(userIds, issuedBy, request.requestId(), request.respondBy(), replyTo)), 201);
    });
  }

  /** The body of {@code GET /api/coupons/validate/{couponCode}}. */
  record CodeValidation(String couponCode, boolean valid, String message) {}

  /** Whether the code could be redeemed now, from the registry and the policy itself (never a lagging view). */
  private CompletionStage<HttpResponse> validate(ApiRequest request) {
    request.caller();
    String couponCode = request.segment("couponCode");
    if (!PolicyDefinition.isWellFormedCode(couponCode)) {
      return CompletableFuture.completedFuture(
          http.responses().json(200, new CodeValidation(couponCode, false, "not a coupon code")));
    }
    CompletionStage<Outcome<CodeValidation>> validation = codes.policyIdOf(couponCode)
        .thenComposeAsync(policyId -> policyId instanceof Outcome.Ok<Long> ok
            ? http.<CouponPolicy.Command, PolicyView>ask(policy(ok.value()), CouponPolicy.Get::new)
            : CompletableFuture.completedFuture(((Outcome.Rejected<Long>) policyId).<PolicyView>cast()),
            http.callbacks())
        .thenApply(policy -> {
          if (policy instanceof Outcome.Ok<PolicyView> ok) {
            String refusal = refusalNow(ok.value());
            return Outcome.ok(new CodeValidation(couponCode, refusal == null,
                refusal == null ? "the code can be redeemed" : refusal));
          }
          Outcome.Rejected<PolicyView> rejected = (Outcome.Rejected<PolicyView>) policy;
          return rejected.code() == ErrorCode.COUPON_CODE_NOT_FOUND || rejected.code() == ErrorCode.POLICY_NOT_FOUND
              ? Outcome.ok(new CodeValidation(couponCode, false, "no coupon has this code"))
              : rejected.<CodeValidation>cast();
        });
    return http.reply(validation, 200);
  }

  /** Why a policy's code cannot be redeemed now (the download's own refusal), or null when it can. */
  private String refusalNow(PolicyView policy) {
    Optional<Outcome.Rejected<IssuedCoupon>> refusal = IssueChannel.BY_CODE.refusal(policy.policyId(),
        policy.distributionType(), policy.isActive(), policy.validFrom(), policy.validUntil(), http.clock().instant());
    if (refusal.isPresent()) {
      return refusal.get().message();
    }
    if (policy.remainingCount() != null && policy.remainingCount() == 0) {
      return "the coupon is sold out";
    }
    return null;
  }

  private EntityRef<CouponPolicy.Command> policy(long policyId) {
    return policies.policy(policyId);
  }
}
