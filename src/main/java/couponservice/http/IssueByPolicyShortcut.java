package couponservice.http;

import couponservice.metrics.CouponMetrics;
import couponservice.metrics.RouteTemplates;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * {@code POST /api/coupon-policies/{policyId}/issue}, the request of a flash sale, answered without the routing
 * directives. Their closures and the marshalling of the response were most of the memory a request allocated, and
 * the young collections that followed set the sale's tail latency. It answers only a request the routes would
 * accept: a complete JSON body within the limit, a known caller, a valid user id and key. Any other request,
 * including every one that is refused before the user's rate limit is spent, is left to the routes, which answer it
 * with the contract's error; after that point it answers exactly as they do, through the same methods.
 */
final class IssueByPolicyShortcut {
  private static final String PREFIX = "/api/coupon-policies/";
  private static final String SUFFIX = "/issue";

  private final HttpContext http;
  private final IssuanceRoutes issuance;

  IssueByPolicyShortcut(HttpContext http, IssuanceRoutes issuance) {
    this.http = http;
    this.issuance = issuance;
  }

  /** The response to {@code request}, or empty when the routes must answer it. */
  Optional<CompletionStage<HttpResponse>> answer(HttpRequest request) {
    long started = System.nanoTime();
    IssuanceRoutes.IssueByPolicy issue = accepted(request);
    if (issue == null) {
      return Optional.empty();
    }
    // Composed, not called: whatever the issuance throws becomes a failed answer, as in the routes.
    return Optional.of(CompletableFuture.completedFuture(issue).thenCompose(issuance::issue).handle((response, failure) -> {
      HttpResponse answered = failure == null ? response : http.responses().failure(failure);
      CouponMetrics.observeRequest(RouteTemplates.ISSUE_BY_POLICY, "POST", answered.status().intValue(), started);
      return answered;
    }));
  }

  /** The request as the routes would accept it, or null. */
  private IssuanceRoutes.IssueByPolicy accepted(HttpRequest request) {
    if (!request.method().equals(HttpMethods.POST)) {
      return null;
    }
    long policyId = policyIdIn(request.getUri().path());
    HttpEntity entity = request.entity();
    if (policyId == 0 || !(entity instanceof HttpEntity.Strict body) || body.getData().isEmpty()
        || body.getData().size() > http.maxBodyBytes()
        || !ApiDirectives.declaresJson(body)) {
      return null;
    }
    try {
      return issuance.issueByPolicy(ApiDirectives.callerOf(http.authenticator(), request), policyId,
          JsonBody.parse(body.getData().toArray()),
          request.getHeader(IssuanceRoutes.IDEMPOTENCY_KEY_HEADER).map(HttpHeader::value));
    } catch (RuntimeException refusedOrUnexpected) {
      // The routes answer it, with the contract's error for a refusal and a logged 503 for anything else.
      return null;
    }
  }

  /** The policy id of an issue path, or 0 when {@code path} is something else. */
  static long policyIdIn(String path) {
    if (path.length() <= PREFIX.length() + SUFFIX.length() || !path.startsWith(PREFIX) || !path.endsWith(SUFFIX)) {
      return 0;
    }
    return ApiDirectives.parseId(path.substring(PREFIX.length(), path.length() - SUFFIX.length()));
  }
}
