package couponservice.http;

import couponservice.CouponException;
import couponservice.ErrorCode;
import couponservice.Outcome;
import couponservice.policy.PolicyHistory;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/** {@code GET /api/coupon-policies/{policyId}/history}: what happened to a policy, oldest first (ADMIN). */
public final class PolicyHistoryEndpoints {
  private final HttpContext http;
  private final PolicyHistory history;

  public PolicyHistoryEndpoints(HttpContext http, PolicyHistory history) {
    this.http = http;
    this.history = history;
  }

  public List<Endpoint> endpoints() {
    return List.of(Endpoint.get("/api/coupon-policies/{policyId}/history", this::history));
  }

  /** The body of the history: {@code nextCursor} names the journal position the next page starts after. */
  record HistoryPage(List<PolicyHistory.Entry> entries, String nextCursor, boolean hasMore) {
    static HistoryPage of(PolicyHistory.Page page) {
      return new HistoryPage(page.entries(),
          page.continueAfter() == null ? null : QueryParams.encodeCursor(Long.toString(page.continueAfter())),
          page.continueAfter() != null);
    }
  }

  private CompletionStage<HttpResponse> history(ApiRequest request) {
    request.caller().requireAdmin();
    long policyId = request.id("policyId");
    int limit = QueryParams.limit(request.query("limit"), QueryParams.DEFAULT_LIMIT);
    Long after = QueryParams.decodeIdCursor(request.query("cursor"));
    if (after != null && after < 1) {
      throw CouponException.invalid("cursor is not a cursor returned by this API");
    }
    CompletionStage<Outcome<HistoryPage>> page = history.page(policyId, after == null ? 0 : after, limit)
        .thenApply(found -> found.<Outcome<HistoryPage>>map(p -> Outcome.ok(HistoryPage.of(p)))
            .orElseGet(() -> Outcome.rejected(ErrorCode.POLICY_NOT_FOUND, "policy " + policyId + " does not exist")));
    return http.reply(page, 200);
  }
}
