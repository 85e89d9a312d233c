package couponservice.http;

import couponservice.CouponException;
import couponservice.Outcome;
import couponservice.auth.Caller;
import couponservice.policy.CouponIds;
import couponservice.policy.CouponPolicy;
import couponservice.policy.DiscountType;
import couponservice.policy.DistributionType;
import couponservice.policy.Policies;
import couponservice.policy.PolicyDefinition;
import couponservice.policy.PolicyRegistry;
import couponservice.policy.PolicyView;
import couponservice.policy.QuantityChange;
import couponservice.readside.Page;
import couponservice.readside.PolicyReadModel;
import couponservice.readside.StatisticsReadModel;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/** {@code /api/coupon-policies}: create, read, list and administer policies. */
public final class PolicyEndpoints {
  private final HttpContext http;
  private final Policies policies;
  private final PolicyReadModel readModel;
  private final StatisticsReadModel statisticsReadModel;

  public PolicyEndpoints(HttpContext http, Policies policies, PolicyReadModel readModel,
      StatisticsReadModel statisticsReadModel) {
    this.http = http;
    this.policies = policies;
    this.readModel = readModel;
    this.statisticsReadModel = statisticsReadModel;
  }

  public List<Endpoint> endpoints() {
    return List.of(
        Endpoint.post("/api/coupon-policies", this::create),
        Endpoint.get("/api/coupon-policies", this::list),
        Endpoint.get("/api/coupon-policies/{policyId}", this::get),
        Endpoint.patch("/api/coupon-policies/{policyId}/remaining-quantity", this::changeMaxIssueCount),
        Endpoint.post("/api/coupon-policies/{policyId}/activate", request -> changeActivation(request, true)),
        Endpoint.post("/api/coupon-policies/{policyId}/deactivate", request -> changeActivation(request, false)),
        Endpoint.get("/api/coupon-policies/{policyId}/statistics", this::statistics));
  }

  private EntityRef<CouponPolicy.Command> policy(long policyId) {
    return policies.policy(policyId);
  }

  /** Registers the policy (id, unique code), then lets the new entity record its creation. */
  private CompletionStage<HttpResponse> create(ApiRequest request) {
    Caller caller = request.caller();
    caller.requireAdmin();
    return request.jsonBody().thenCompose(body -> {
      PolicyDefinition definition = definitionOf(body).validated();
      CompletionStage<Outcome<PolicyView>> created = http
          .<PolicyRegistry.Command, PolicyRegistry.Registration>ask(policies.registry(),
              replyTo -> new PolicyRegistry.Register(definition, caller.subject(), replyTo))
          .thenCompose(registered -> registered instanceof Outcome.Ok<PolicyRegistry.Registration> ok
              ? http.<CouponPolicy.Command, PolicyView>ask(policy(ok.value().policyId()), CouponPolicy.Get::new)
              : CompletableFuture.completedFuture(((Outcome.Rejected<PolicyRegistry.Registration>) registered).cast()));
      return http.reply(created, 201);
    });
  }

  private CompletionStage<HttpResponse> get(ApiRequest request) {
    request.caller();
    return http.reply(http.<CouponPolicy.Command, PolicyView>ask(policy(request.id("policyId")), CouponPolicy.Get::new),
        200);
  }

  private CompletionStage<HttpResponse> list(ApiRequest request) {
    request.caller();
    int limit = QueryParams.limit(request.query("limit"), QueryParams.DEFAULT_LIMIT);
    Long beforeId = QueryParams.decodeIdCursor(request.query("cursor"));
    return http.query(() -> PolicyPage.of(readModel.list(beforeId, limit)));
  }

  /** Issued and remaining from the entity (exact); the per-state counts from the read model. */
  private CompletionStage<HttpResponse> statistics(ApiRequest request) {
    request.caller().requireAdmin();
    long policyId = request.id("policyId");
    CompletionStage<Outcome<PolicyStatistics>> statistics = http
        .<CouponPolicy.Command, PolicyView>ask(policy(policyId), CouponPolicy.Get::new)
        .thenCompose(outcome -> outcome instanceof Outcome.Ok<PolicyView> ok
            ? http.blocking(() -> Outcome.ok(PolicyStatistics.of(ok.value(), counts(policyId))))
            : CompletableFuture.completedFuture(((Outcome.Rejected<PolicyView>) outcome).<PolicyStatistics>cast()));
    return http.reply(statistics, 200);
  }

  private StatisticsReadModel.PolicyCounts counts(long policyId) throws SQLException {
    return statisticsReadModel.policy(policyId);
  }

  /** The body of {@code GET /api/coupon-policies/{policyId}/statistics}. */
  record PolicyStatistics(long policyId, long issued, long reserved, long used, long expired, long cancelled,
      Long remaining, BigDecimal totalDiscountAmount) {
    static PolicyStatistics of(PolicyView policy, StatisticsReadModel.PolicyCounts counts) {
      return new PolicyStatistics(policy.policyId(), policy.currentIssueCount(), counts.reserved(), counts.used(),
          counts.expired(), counts.cancelled(), policy.remainingCount(), counts.totalDiscountAmount());
    }
  }

  /** The body of {@code GET /api/coupon-policies}. */
  record PolicyPage(List<PolicyView> policies, String nextCursor, boolean hasMore) {
    static PolicyPage of(Page<PolicyView> page) {
      return new PolicyPage(page.items(),
          page.hasMore() ? QueryParams.encodeCursor(Long.toString(page.last().policyId())) : null, page.hasMore());
    }
  }

  private CompletionStage<HttpResponse> changeActivation(ApiRequest request, boolean active) {
    Caller caller = request.caller();
    caller.requireAdmin();
    return http.reply(http.<CouponPolicy.Command, PolicyView>ask(policy(request.id("policyId")),
        replyTo -> new CouponPolicy.ChangeActivation(active, caller.subject(), replyTo)), 200);
  }

  private CompletionStage<HttpResponse> changeMaxIssueCount(ApiRequest request) {
    Caller caller = request.caller();
    caller.requireAdmin();
    long policyId = request.id("policyId");
    return request.jsonBody().thenCompose(body -> {
      long newMax = body.requiredLong("newMaxIssueCount");
      if (newMax < 1 || newMax > CouponIds.MAX_SEQUENCE) {
        throw CouponException.invalid("newMaxIssueCount must be between 1 and " + CouponIds.MAX_SEQUENCE);
      }
      String modifiedBy = Optional.ofNullable(body.optionalString("modifiedBy", 100)).orElse(caller.subject());
      String reason = body.optionalString("reason", 500);
      return http.reply(http.<CouponPolicy.Command, QuantityChange>ask(policy(policyId),
          replyTo -> new CouponPolicy.ChangeMaxIssueCount(newMax, modifiedBy, reason, replyTo)), 200);
    });
  }

  static PolicyDefinition definitionOf(JsonBody body) {
    Long maxIssueCount = body.optionalLong("maxIssueCount");
    Integer maxIssuePerUser = body.optionalInt("maxIssuePerUser");
    return new PolicyDefinition(
        body.requiredString("couponName", 100),
        body.optionalString("couponCode", 50),
        body.optionalEnum("discountType", DiscountType.class),
        body.optionalDecimal("discountValue"),
        body.optionalDecimal("minimumOrderAmount"),
        body.optionalDecimal("maxDiscountAmount"),
        body.optionalEnum("distributionType", DistributionType.class),
        maxIssueCount,
        maxIssuePerUser == null ? 1 : maxIssuePerUser,
        body.optionalInt("validDays"),
        body.optionalDuration("validDuration"),
        body.optionalInstant("validFrom"),
        body.optionalInstant("validUntil"),
        body.optionalString("triggerEventType", 100));
  }
}
