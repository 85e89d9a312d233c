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
import couponservice.policy.PolicyDefinition;
import couponservice.policy.PolicyView;
import couponservice.ratelimit.IssueRateLimiter;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/** Issuance: by code ({@code /api/coupons/download}), by policy id, and admin batches. */
public final class IssuanceRoutes extends ApiDirectives {
  public static final int MAX_DIRECT_ISSUE_USERS = 10_000;
  static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x20-\\x7E]{1,64}");

  private final CouponCodeDirectory codes;
  private final IssueRateLimiter rateLimiter;
  private final Clock clock;

  public IssuanceRoutes(HttpContext http, CouponCodeDirectory codes, IssueRateLimiter rateLimiter, Clock clock) {
    super(http);
    this.codes = codes;
    this.rateLimiter = rateLimiter;
    this.clock = clock;
  }

  public Route route() {
    // Built once: every request under /api/coupons passes this way (see ApiRoutes#route).
    Route underCoupons = concat(
        path("download", () -> post(() -> authenticated(caller -> jsonBody(body -> downloadByCode(caller, body))))),
        path("direct-issue", () -> post(() -> authenticated(caller -> {
          caller.requireAdmin();
          return jsonBody(body -> directIssue(caller, body));
        }))),
        path(PathMatchers.segment("validate").slash(PathMatchers.segment()), code ->
            get(() -> authenticated(caller -> validate(code)))));
    return concat(
        pathPrefix("coupons", () -> underCoupons),
        pathPrefix("coupon-policies", () -> pathId("policyId", policyId -> path("issue", () ->
            post(() -> authenticated(caller -> jsonBody(body -> optionalHeaderValueByName(IDEMPOTENCY_KEY_HEADER, key ->
                completeWithFuture(issue(issueByPolicy(caller, policyId, body, key)))))))))));
  }

  private Route downloadByCode(Caller caller, JsonBody body) {
    String couponCode = body.requiredString("couponCode", 50);
    if (!PolicyDefinition.isWellFormedCode(couponCode)) {
      throw CouponException.invalid("couponCode must be 1-50 characters of A-Z a-z 0-9 _ -");
    }
    long userId = body.requiredId("userId");
    caller.requireSelfOrAdmin(userId);
    return optionalHeaderValueByName(IDEMPOTENCY_KEY_HEADER, header -> {
      String key = checkedIdempotencyKey(header);
      return completeWithFuture(rateLimited(userId, () -> codes.policyIdOf(couponCode).thenComposeAsync(policyId ->
          policyId instanceof Outcome.Ok<Long> ok
              ? issue(ok.value(), userId, IssueChannel.BY_CODE, key)
              : CompletableFuture.completedFuture(((Outcome.Rejected<Long>) policyId).<IssuedCoupon>cast()),
          http.callbacks())));
    });
  }

  /** {@code POST /api/coupon-policies/{policyId}/issue} once its caller, body and key are known good. */
  record IssueByPolicy(long policyId, long userId, String idempotencyKey) {}

  /** Checks what can be checked before the user's rate limit is spent; a {@link CouponException} when it fails. */
  IssueByPolicy issueByPolicy(Caller caller, long policyId, JsonBody body, Optional<String> idempotencyKey) {
    long userId = body.requiredId("userId");
    caller.requireSelfOrAdmin(userId);
    return new IssueByPolicy(policyId, userId, checkedIdempotencyKey(idempotencyKey));
  }

  CompletionStage<HttpResponse> issue(IssueByPolicy request) {
    return rateLimited(request.userId(),
        () -> issue(request.policyId(), request.userId(), IssueChannel.BY_POLICY, request.idempotencyKey()));
  }

  /** The user's issuance rate limit first: over it, 429 with Retry-After and nothing issued. */
  private CompletionStage<HttpResponse> rateLimited(long userId, Supplier<CompletionStage<Outcome<IssuedCoupon>>> issue) {
    // Redis answers on its client's thread: the issue is asked from the dispatcher.
    return rateLimiter.check(userId).thenComposeAsync(decision -> {
      if (decision.degraded()) {
        CouponMetrics.RATE_LIMIT.labelValues("degraded").inc();
      }
      if (decision.allowed()) {
        return respond(issue.get(), 201);
      }
      CouponMetrics.RATE_LIMIT.labelValues("rejected").inc();
      return CompletableFuture.completedFuture(http.responses()
          .error(ErrorCode.COUPON_ISSUE_LIMIT_EXCEEDED, "too many coupon issuances for this user; retry later")
          .addHeader(RawHeader.create("Retry-After", Long.toString(decision.retryAfterSeconds()))));
    }, http.callbacks());
  }

  private Route directIssue(Caller caller, JsonBody body) {
    long policyId = body.requiredId("couponPolicyId");
    List<Long> userIds = body.requiredDistinctIds("userIds", MAX_DIRECT_ISSUE_USERS);
    String issuedBy = Optional.ofNullable(body.optionalString("issuedBy", 100)).orElse(caller.subject());
    return this.<CouponPolicy.Command, DirectIssueResult>ask(policy(policyId),
        replyTo -> new CouponPolicy.DirectIssue(userIds, issuedBy, replyTo), 201);
  }

  /** The body of {@code GET /api/coupons/validate/{couponCode}}. */
  record CodeValidation(String couponCode, boolean valid, String message) {}

  /** Whether the code could be redeemed now, from the registry and the policy itself (never a lagging view). */
  private Route validate(String couponCode) {
    if (!PolicyDefinition.isWellFormedCode(couponCode)) {
      return complete(http.responses().json(200, new CodeValidation(couponCode, false, "not a coupon code")));
    }
    CompletionStage<Outcome<CodeValidation>> validation = codes.policyIdOf(couponCode)
        .thenComposeAsync(policyId -> policyId instanceof Outcome.Ok<Long> ok
            ? policy(ok.value()).<Outcome<PolicyView>>ask(CouponPolicy.Get::new, askTimeout())
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
    return reply(validation, 200);
  }

  /** Why a policy's code cannot be redeemed now, or null when it can. */
  private String refusalNow(PolicyView policy) {
    Instant now = clock.instant();
    if (!policy.isActive()) {
      return "the coupon is not active";
    }
    if (now.isBefore(policy.validFrom())) {
      return "the coupon cannot be redeemed before " + policy.validFrom();
    }
    if (!now.isBefore(policy.validUntil())) {
      return "the coupon could be redeemed until " + policy.validUntil();
    }
    if (policy.remainingCount() != null && policy.remainingCount() == 0) {
      return "the coupon is sold out";
    }
    return null;
  }

  /** The Idempotency-Key header's value, or null without one. */
  private static String checkedIdempotencyKey(Optional<String> key) {
    if (key.isPresent() && !IDEMPOTENCY_KEY.matcher(key.get()).matches()) {
      throw CouponException.invalid("Idempotency-Key must be 1-64 printable ASCII characters");
    }
    return key.orElse(null);
  }

  private EntityRef<CouponPolicy.Command> policy(long policyId) {
    return http.sharding().entityRefFor(CouponPolicy.ENTITY_KEY, Long.toString(policyId));
  }

  private CompletionStage<Outcome<IssuedCoupon>> issue(long policyId, long userId, IssueChannel channel, String key) {
    return policy(policyId).ask(replyTo -> new CouponPolicy.Issue(userId, channel, key, replyTo), askTimeout());
  }
}
