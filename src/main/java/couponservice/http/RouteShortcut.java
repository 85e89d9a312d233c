package couponservice.http;

import couponservice.auth.Caller;
import couponservice.metrics.CouponMetrics;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * One of the busiest requests, answered without the routing directives: their closures, the rejections of the
 * routes tried before the matching one and the marshalling were most of what such a request allocated and cost.
 * A shortcut answers only a request the routes would accept. Any other request, including every one that is
 * refused before anything is spent, is left to the routes, which answer it with the contract's error; once a
 * request is accepted it is answered exactly as the routes answer it, through the same methods.
 *
 * @param <T> the request as the routes would have accepted it
 */
abstract class RouteShortcut<T> {
  protected final HttpContext http;
  private final HttpMethod method;
  private final String routeTemplate;

  RouteShortcut(HttpContext http, HttpMethod method, String routeTemplate) {
    this.http = http;
    this.method = method;
    this.routeTemplate = routeTemplate;
  }

  /** The response to {@code request}, or empty when the routes must answer it. */
  final Optional<CompletionStage<HttpResponse>> answer(HttpRequest request) {
    if (!request.method().equals(method)) {
      return Optional.empty();
    }
    long started = System.nanoTime();
    T accepted;
    try {
      accepted = accepted(request);
    } catch (RuntimeException refusedOrUnexpected) {
      // The routes answer it, with the contract's error for a refusal and a logged 503 for anything else.
      return Optional.empty();
    }
    if (accepted == null) {
      return Optional.empty();
    }
    // Composed, not called: whatever answering throws becomes a failed answer, as in the routes.
    return Optional.of(CompletableFuture.completedFuture(accepted).thenCompose(this::respond).handle((response, failure) -> {
      HttpResponse answered = failure == null ? response : http.responses().failure(failure);
      CouponMetrics.observeRequest(routeTemplate, method.name(), answered.status().intValue(), started);
      return answered;
    }));
  }

  /** {@code request} as the routes would accept it; null, or a refusal thrown, when the routes must answer it. */
  abstract T accepted(HttpRequest request);

  abstract CompletionStage<HttpResponse> respond(T accepted);

  /** The caller of {@code request}, as the routes establish it; a refusal when there is none. */
  protected final Caller callerOf(HttpRequest request) {
    return ApiDirectives.callerOf(http.authenticator(), request);
  }

  /** The positive id between {@code prefix} and {@code suffix} of {@code path}, or 0 when it is another path. */
  static long idIn(String path, String prefix, String suffix) {
    if (path.length() <= prefix.length() + suffix.length() || !path.startsWith(prefix) || !path.endsWith(suffix)) {
      return 0;
    }
    return ApiDirectives.parseId(path.substring(prefix.length(), path.length() - suffix.length()));
  }
}
