package couponservice.http;

import couponservice.ErrorCode;
import couponservice.metrics.CouponMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Allow;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.TimeoutAccess;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * What the HTTP server answers every request with: the route table's endpoint for it, or the contract's error
 * body — 404 for an unknown path, 405 for another method, 400 for a path id that is not one, the refusal of the
 * operation, and 503 (logged, no internals) for anything unexpected or a request that outlives the server's
 * request timeout. Every answer carries the request's {@code X-Request-Id} and is counted and timed by route
 * template. The id is in the logging MDC while the request is dispatched and answered, so every line the HTTP layer
 * logs for it carries it; the access log ({@code couponservice.access}) writes one line per answered request.
 */
public final class ApiHandler {
  static final String REQUEST_ID = "X-Request-Id";
  /** The MDC key under which every log line of a request carries its X-Request-Id. */
  public static final String REQUEST_ID_KEY = "requestId";
  private static final Logger access = LoggerFactory.getLogger("couponservice.access");
  private static final char[] ID_ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();

  private final Router router;
  private final HttpContext http;
  private final Materializer materializer;

  public ApiHandler(HttpContext http, Materializer materializer, List<List<Endpoint>> features) {
    this.router = new Router(features.stream().flatMap(List::stream).toList());
    this.http = http;
    this.materializer = materializer;
  }

  /** Every endpoint of the API, as "METHOD template". */
  public List<String> routes() {
    return router.routes();
  }

  public Function<HttpRequest, CompletionStage<HttpResponse>> handler() {
    return this::handle;
  }

  CompletionStage<HttpResponse> handle(HttpRequest request) {
    long started = System.nanoTime();
    String requestId = request.getHeader(REQUEST_ID).map(h -> h.value())
        .filter(ApiRequest::isVisibleAscii).orElseGet(ApiHandler::newRequestId);
    // Every line logged while this thread works on the request carries its id; so does its completion below.
    MDC.put(REQUEST_ID_KEY, requestId);
    try {
      HttpMethod method = request.method();
      Router.Match match = router.match(method, request.getUri().path());
      Endpoint endpoint = null;
      CompletionStage<HttpResponse> response;
      Responses responses = http.responses();
      if (match instanceof Router.Found found) {
        endpoint = found.endpoint();
        response = answer(found, new ApiRequest(request, found.parameters(), requestId, http, materializer));
      } else if (match instanceof Router.NotAnId notAnId) {
        endpoint = notAnId.endpoint();
        response = CompletableFuture.completedFuture(responses.error(ErrorCode.VALIDATION_FAILED,
            notAnId.parameter() + " must be a positive integer id"));
      } else if (match instanceof Router.MethodNotAllowed notAllowed) {
        endpoint = notAllowed.endpoint();
        response = CompletableFuture.completedFuture(responses.error(ErrorCode.METHOD_NOT_ALLOWED,
                "the method is not allowed here; allowed: "
                    + notAllowed.allowed().stream().map(HttpMethod::name).collect(Collectors.joining(", ")))
            .addHeader(Allow.create(notAllowed.allowed().toArray(HttpMethod[]::new))));
      } else {
        response = CompletableFuture.completedFuture(responses.error(ErrorCode.NOT_FOUND, "no such route"));
      }
      String template = endpoint == null ? "unmatched" : endpoint.template();
      List<HttpHeader> headers = new ArrayList<>(endpoint == null ? List.of() : endpoint.headers());
      headers.add(RawHeader.create(REQUEST_ID, requestId));
      // What the server answers itself when a request outlives pekko.http.server.request-timeout: the contract's 503.
      request.getHeader(TimeoutAccess.class).ifPresent(timeout -> timeout.timeoutAccess().updateHandler(timedOut ->
          responses.error(ErrorCode.SERVICE_UNAVAILABLE, "the request took too long; retry later").addHeaders(headers)));
      return response.handle((answered, failure) -> {
        MDC.put(REQUEST_ID_KEY, requestId);
        try {
          HttpResponse result = failure == null ? answered : responses.failure(failure);
          int status = result.status().intValue();
          CouponMetrics.observeRequest(template, method.name(), status, started);
          logAccess(method.name(), template, status, started);
          return result.addHeaders(headers);
        } finally {
          MDC.remove(REQUEST_ID_KEY);
        }
      });
    } finally {
      MDC.remove(REQUEST_ID_KEY);
    }
  }

  /** One line per answered request when the access log is on ({@code COUPON_ACCESS_LOG=on}, conf/logback.xml). */
  private static void logAccess(String method, String template, int status, long startedNanos) {
    if (access.isInfoEnabled()) {
      double millis = Math.round((System.nanoTime() - startedNanos) / 1e5) / 10.0;
      access.atInfo()
          .addKeyValue("method", method)
          .addKeyValue("route", template)
          .addKeyValue("status", status)
          .addKeyValue("durationMs", millis)
          .log("{} {} {} {} ms", method, template, status, millis);
    }
  }

  /** The operation's answer; a refusal (CouponException) it throws before answering becomes the error response. */
  private static CompletionStage<HttpResponse> answer(Router.Found found, ApiRequest request) {
    try {
      return found.endpoint().operation().answer(request);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** 16 random characters of base64url: unique enough to follow one request, short enough to carry in events. */
  private static String newRequestId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] id = new char[16];
    for (int i = 0; i < id.length; i++) {
      id[i] = ID_ALPHABET[random.nextInt(ID_ALPHABET.length)];
    }
    return new String(id);
  }
}
