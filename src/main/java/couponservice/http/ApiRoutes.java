package couponservice.http;

import couponservice.CouponException;
import couponservice.ErrorCode;
import couponservice.metrics.CouponMetrics;
import couponservice.metrics.RouteTemplates;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.Allow;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedQueryParamRejection;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.MissingQueryParamRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.RequestEntityExpectedRejection;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.server.UnsupportedRequestContentTypeRejection;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.japi.function.Function;

/**
 * The whole HTTP API ({@code /api/...}, plus {@code /health} for load balancers and the admin console's files
 * under {@code /admin/}) with the contract's error body on every failure path: refusals, unknown routes
 * (404), wrong methods (405), oversized bodies (413), non-JSON bodies (415), and anything unexpected,
 * which is logged and answered 503 without internals.
 */
public final class ApiRoutes extends AllDirectives {
  // Prometheus reads plain text as its text format 0.0.4.
  private static final ContentType METRICS_TYPE = ContentTypes.TEXT_PLAIN_UTF8;
  private static final ContentType OPENAPI_TYPE =
      ContentTypes.create(MediaTypes.applicationWithOpenCharset("yaml"), HttpCharsets.UTF_8);
  private final Responses responses;
  private final List<RouteShortcut<?>> shortcuts;
  private final Route issuanceRoute;
  private final List<Route> otherFeatureRoutes;
  // Built once: the Java DSL re-evaluates a directive's inner route for every request.
  private final ExceptionHandler exceptionHandler;
  private final RejectionHandler rejectionHandler;

  /** Issuance comes first, then the wallet: they are the hot paths, and routes are tried in order. */
  public ApiRoutes(HttpContext http, IssuanceRoutes issuance, WalletRoutes wallet, List<Route> otherFeatureRoutes) {
    this.responses = http.responses();
    this.shortcuts = List.of(new IssueByPolicyShortcut(http, issuance), new WalletShortcut(http, wallet));
    this.issuanceRoute = issuance.route();
    this.otherFeatureRoutes = Stream.concat(Stream.of(wallet.route()), otherFeatureRoutes.stream()).toList();
    this.exceptionHandler = exceptionHandler();
    this.rejectionHandler = rejectionHandler();
  }

  /** What the HTTP server answers requests with: the first shortcut that accepts a request, or else the routes. */
  public Function<HttpRequest, CompletionStage<HttpResponse>> handler(ClassicActorSystemProvider system) {
    Function<HttpRequest, CompletionStage<HttpResponse>> routes = route().handler(system);
    return request -> {
      for (RouteShortcut<?> shortcut : shortcuts) {
        Optional<CompletionStage<HttpResponse>> answer = shortcut.answer(request);
        if (answer.isPresent()) {
          return answer.get();
        }
      }
      return routes.apply(request);
    };
  }

  Route route() {
    // Each level is built once and shared: a directive's inner supplier runs for every request, so a tree
    // built inside one would be rebuilt per request.
    Route api = concat(issuanceRoute, otherFeatureRoutes.toArray(Route[]::new));
    Route console = new ConsoleRoutes(rejectionHandler).route();
    Route endpoints = concat(
        path("health", () -> get(() -> complete(responses.json(200, Map.of("status", "UP"))))),
        path("metrics", () -> get(() -> complete(HttpResponse.create().withEntity(METRICS_TYPE,
            CouponMetrics.scrape())))),
        path("openapi.yaml", () -> get(() -> getFromResource("openapi.yaml", OPENAPI_TYPE))),
        pathPrefix("api", () -> api),
        pathPrefix("admin", () -> console));
    Route rejectionsHandled = handleRejections(rejectionHandler, () -> endpoints);
    Route exceptionsHandled = handleExceptions(exceptionHandler, () -> rejectionsHandled);
    return measured(() -> exceptionsHandled);
  }

  /** Counts and times every request by route template, method and status. */
  private Route measured(Supplier<Route> inner) {
    return extractRequest(request -> {
      long started = System.nanoTime();
      String route = RouteTemplates.of(request.getUri().path());
      String method = request.method().name();
      return mapResponse(response -> {
        CouponMetrics.observeRequest(route, method, response.status().intValue(), started);
        return response;
      }, inner);
    });
  }

  private ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        .match(CouponException.class, e -> complete(responses.error(e)))
        .match(EntityStreamSizeException.class, e -> complete(tooLarge()))
        .matchAny(e -> complete(responses.failure(e)))
        .build();
  }

  private RejectionHandler rejectionHandler() {
    return RejectionHandler.newBuilder()
        .handleAll(MethodRejection.class, rejections -> complete(methodNotAllowed(rejections)))
        .handle(InvalidPathId.class, r -> complete(responses.error(ErrorCode.VALIDATION_FAILED,
            r.name() + " must be a positive integer id")))
        .handle(MalformedRequestContentRejection.class, r -> complete(r.getCause() instanceof EntityStreamSizeException
            ? tooLarge()
            : responses.error(ErrorCode.VALIDATION_FAILED, "the body is not valid JSON")))
        .handle(RequestEntityExpectedRejection.class,
            r -> complete(responses.error(ErrorCode.VALIDATION_FAILED, "a JSON body is required")))
        .handle(UnsupportedRequestContentTypeRejection.class,
            r -> complete(responses.error(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "the body must be application/json")))
        .handle(MissingQueryParamRejection.class, r -> complete(responses.error(ErrorCode.VALIDATION_FAILED,
            r.parameterName() + " is required")))
        .handle(MalformedQueryParamRejection.class, r -> complete(responses.error(ErrorCode.VALIDATION_FAILED,
            r.parameterName() + " is malformed")))
        .handleNotFound(extractUnmatchedPath(path -> complete(responses.error(ErrorCode.NOT_FOUND, "no such route"))))
        .build();
  }

  private HttpResponse methodNotAllowed(List<MethodRejection> rejections) {
    String allowed = rejections.stream().map(r -> r.supported().name()).distinct().collect(Collectors.joining(", "));
    return responses.error(ErrorCode.METHOD_NOT_ALLOWED, "the method is not allowed here; allowed: " + allowed)
        .addHeader(Allow.create(rejections.stream().map(MethodRejection::supported).distinct()
            .toArray(org.apache.pekko.http.javadsl.model.HttpMethod[]::new)));
  }

  private HttpResponse tooLarge() {
    return responses.error(ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than 64 KiB");
  }
}
