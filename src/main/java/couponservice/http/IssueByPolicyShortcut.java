package couponservice.http;

import couponservice.metrics.RouteTemplates;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * {@code POST /api/coupon-policies/{policyId}/issue}, the request of a flash sale, when it has a complete JSON body
 * within the limit, a known caller, a valid user id and key. Anything refused before the user's rate limit is
 * spent is left to the routes.
 */
final class IssueByPolicyShortcut extends RouteShortcut<IssuanceRoutes.IssueByPolicy> {
  private static final String PREFIX = "/api/coupon-policies/";
  private static final String SUFFIX = "/issue";

  private final IssuanceRoutes issuance;

  IssueByPolicyShortcut(HttpContext http, IssuanceRoutes issuance) {
    super(http, HttpMethods.POST, RouteTemplates.ISSUE_BY_POLICY);
    this.issuance = issuance;
  }

  @Override
  IssuanceRoutes.IssueByPolicy accepted(HttpRequest request) {
    long policyId = idIn(request.getUri().path(), PREFIX, SUFFIX);
    HttpEntity entity = request.entity();
    if (policyId == 0 || !(entity instanceof HttpEntity.Strict body) || body.getData().isEmpty()
        || body.getData().size() > http.maxBodyBytes()
        || !ApiDirectives.declaresJson(body)) {
      return null;
    }
    return issuance.issueByPolicy(callerOf(request), policyId,
        JsonBody.parse(body.getData().toArray()),
        request.getHeader(IssuanceRoutes.IDEMPOTENCY_KEY_HEADER).map(HttpHeader::value));
  }

  @Override
  CompletionStage<HttpResponse> respond(IssuanceRoutes.IssueByPolicy issue) {
    return issuance.issue(issue);
  }
}
