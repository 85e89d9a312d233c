package couponservice.http;

import couponservice.Outcome;
import couponservice.auth.Caller;
import couponservice.policy.CouponIds;
import couponservice.policy.CouponPolicy;
import couponservice.policy.DiscountType;
import couponservice.policy.DistributionType;
import couponservice.policy.PolicyDefinition;
import couponservice.policy.PolicyRegistry;
import couponservice.policy.PolicyView;
import couponservice.policy.QuantityChange;
import couponservice.readside.Page;
import couponservice.readside.PolicyReadModel;
import couponservice.readside.StatisticsReadModel;
import couponservice.CouponException;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code /api/coupon-policies}: create, read, list and administer policies. */
public final class PolicyRoutes extends ApiDirectives {
  private final PolicyReadModel readModel;
  private final StatisticsReadModel statisticsReadModel;

  public PolicyRoutes(HttpContext http, PolicyReadModel readModel, StatisticsReadModel statisticsReadModel) {
    super(http);
    this.readModel = readModel;
    this.statisticsReadModel = statisticsReadModel;
  }

  public Route route() {
    return pathPrefix("coupon-policies", () -> concat(
        pathEnd(() -> concat(
            post(() -> authenticated(caller -> {
              caller.requireAdmin();
              return jsonBody(body -> create(definitionOf(body).validated()));
            })),
            get(() -> authenticated(caller -> parameterOptional("cursor", cursor ->
                parameterOptional("limit", limit -> list(cursor, limit))))))),
        pathId("policyId", policyId -> concat(
            pathEnd(() -> get(() -> authenticated(caller -> ask(policy(policyId), CouponPolicy.Get::new, 200)))),
            path("remaining-quantity", () -> patch(() -> authenticated(caller -> {
              caller.requireAdmin();
              return jsonBody(body -> changeMaxIssueCount(policyId, caller, body));
            }))),
            path("activate", () -> post(() -> authenticated(caller -> changeActivation(caller, policyId, true)))),
            path("deactivate", () -> post(() -> authenticated(caller -> changeActivation(caller, policyId, false)))),
            path("statistics", () -> get(() -> authenticated(caller -> {
              caller.requireAdmin();
              return statistics(policyId);
            })))))));
  }

  private EntityRef<CouponPolicy.Command> policy(long policyId) {
    return http.sharding().entityRefFor(CouponPolicy.ENTITY_KEY, Long.toString(policyId));
  }

  /** Registers the policy (id, unique code), then lets the new entity record its creation. */
  private Route create(PolicyDefinition definition) {
    EntityRef<PolicyRegistry.Command> registry =
        http.sharding().entityRefFor(PolicyRegistry.ENTITY_KEY, PolicyRegistry.ENTITY_ID);
    CompletionStage<Outcome<PolicyView>> created = registry
        .<Outcome<PolicyRegistry.Registration>>ask(replyTo -> new PolicyRegistry.Register(definition, replyTo), askTimeout())
        .thenComposeAsync(registered -> {
          if (registered instanceof Outcome.Ok<PolicyRegistry.Registration> ok) {
            return policy(ok.value().policyId()).ask(CouponPolicy.Get::new, askTimeout());
          }
          return CompletableFuture.completedFuture(((Outcome.Rejected<PolicyRegistry.Registration>) registered).cast());
        }, http.callbacks());
    return reply(created, 201);
  }

  private Route list(Optional<String> cursor, Optional<String> limitParam) {
    int limit = QueryParams.limit(limitParam, QueryParams.DEFAULT_LIMIT);
    Long beforeId = QueryParams.decodeIdCursor(cursor);
    return query(() -> PolicyPage.of(readModel.list(beforeId, limit)));
  }

  /** Issued and remaining from the entity (exact); the per-state counts from the read model. */
  private Route statistics(long policyId) {
    CompletionStage<Outcome<PolicyStatistics>> statistics = policy(policyId)
        .<Outcome<PolicyView>>ask(CouponPolicy.Get::new, askTimeout())
        .thenApplyAsync(outcome -> {
          if (!(outcome instanceof Outcome.Ok<PolicyView> ok)) {
            return ((Outcome.Rejected<PolicyView>) outcome).<PolicyStatistics>cast();
          }
          try {
            return Outcome.ok(PolicyStatistics.of(ok.value(), statisticsReadModel.policy(policyId)));
          } catch (SQLException e) {
            throw new IllegalStateException("policy statistics query failed", e);
          }
        }, http.blockingExecutor());
    return reply(statistics, 200);
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

  private Route changeActivation(Caller caller, long policyId, boolean active) {
    caller.requireAdmin();
    return this.<CouponPolicy.Command, PolicyView>ask(policy(policyId), replyTo -> new CouponPolicy.ChangeActivation(active, replyTo), 200);
  }

  private Route changeMaxIssueCount(long policyId, Caller caller, JsonBody body) {
    long newMax = body.requiredLong("newMaxIssueCount");
    if (newMax < 1 || newMax > CouponIds.MAX_SEQUENCE) {
      throw CouponException.invalid("newMaxIssueCount must be between 1 and " + CouponIds.MAX_SEQUENCE);
    }
    String modifiedBy = Optional.ofNullable(body.optionalString("modifiedBy", 100)).orElse(caller.subject());
    String reason = body.optionalString("reason", 500);
    return this.<CouponPolicy.Command, QuantityChange>ask(policy(policyId),
        replyTo -> new CouponPolicy.ChangeMaxIssueCount(newMax, modifiedBy, reason, replyTo), 200);
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
