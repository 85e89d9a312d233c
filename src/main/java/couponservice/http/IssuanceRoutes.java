package couponservice.http;

import couponservice.CouponException;
import couponservice.Outcome;
import couponservice.auth.Caller;
import couponservice.issuance.CouponCodeDirectory;
import couponservice.policy.CouponPolicy;
import couponservice.policy.DirectIssueResult;
import couponservice.policy.IssueChannel;
import couponservice.policy.IssuedCoupon;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.server.Route;

/** Issuance: by code ({@code /api/coupons/download}), by policy id, and admin batches. */
public final class IssuanceRoutes extends ApiDirectives {
  public static final int MAX_DIRECT_ISSUE_USERS = 10_000;
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x20-\\x7E]{1,64}");
  private static final Pattern COUPON_CODE = Pattern.compile("[A-Za-z0-9_-]{1,50}");

  private final CouponCodeDirectory codes;

  public IssuanceRoutes(HttpContext http, CouponCodeDirectory codes) {
    super(http);
    this.codes = codes;
  }

  public Route route() {
    return concat(
        pathPrefix("coupons", () -> concat(
            path("download", () -> post(() -> authenticated(caller -> jsonBody(body -> downloadByCode(caller, body))))),
            path("direct-issue", () -> post(() -> authenticated(caller -> {
              caller.requireAdmin();
              return jsonBody(body -> directIssue(caller, body));
            }))))),
        pathPrefix("coupon-policies", () -> pathId("policyId", policyId -> path("issue", () ->
            post(() -> authenticated(caller -> jsonBody(body -> issueByPolicy(caller, policyId, body))))))));
  }

  private Route downloadByCode(Caller caller, JsonBody body) {
    String couponCode = body.requiredString("couponCode", 50);
    if (!COUPON_CODE.matcher(couponCode).matches()) {
      throw CouponException.invalid("couponCode must be 1-50 characters of A-Z a-z 0-9 _ -");
    }
    long userId = body.requiredId("userId");
    caller.requireSelfOrAdmin(userId);
    return idempotencyKey(key -> reply(codes.policyIdOf(couponCode).thenComposeAsync(policyId ->
        policyId instanceof Outcome.Ok<Long> ok
            ? issue(ok.value(), userId, IssueChannel.BY_CODE, key)
            : CompletableFuture.completedFuture(((Outcome.Rejected<Long>) policyId).<IssuedCoupon>cast()),
        http.callbacks()), 201));
  }

  private Route issueByPolicy(Caller caller, long policyId, JsonBody body) {
    long userId = body.requiredId("userId");
    caller.requireSelfOrAdmin(userId);
    return idempotencyKey(key -> reply(issue(policyId, userId, IssueChannel.BY_POLICY, key), 201));
  }

  private Route directIssue(Caller caller, JsonBody body) {
    long policyId = body.requiredId("couponPolicyId");
    List<Long> userIds = body.requiredDistinctIds("userIds", MAX_DIRECT_ISSUE_USERS);
    String issuedBy = Optional.ofNullable(body.optionalString("issuedBy", 100)).orElse(caller.subject());
    return this.<CouponPolicy.Command, DirectIssueResult>ask(policy(policyId),
        replyTo -> new CouponPolicy.DirectIssue(userIds, issuedBy, replyTo), 201);
  }

  private Route idempotencyKey(Function<String, Route> inner) {
    return optionalHeaderValueByName("Idempotency-Key", key -> {
      if (key.isPresent() && !IDEMPOTENCY_KEY.matcher(key.get()).matches()) {
        throw CouponException.invalid("Idempotency-Key must be 1-64 printable ASCII characters");
      }
      return inner.apply(key.orElse(null));
    });
  }

  private EntityRef<CouponPolicy.Command> policy(long policyId) {
    return http.sharding().entityRefFor(CouponPolicy.ENTITY_KEY, Long.toString(policyId));
  }

  private CompletionStage<Outcome<IssuedCoupon>> issue(long policyId, long userId, IssueChannel channel, String key) {
    return policy(policyId).ask(replyTo -> new CouponPolicy.Issue(userId, channel, key, replyTo), askTimeout());
  }
}
