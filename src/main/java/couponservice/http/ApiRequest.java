package couponservice.http;

import couponservice.CouponException;
import couponservice.ErrorCode;
import couponservice.auth.Caller;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.util.ByteString;

/**
 * A request as the operations see it: the checks every endpoint makes of a request (caller, body, media type,
 * size, path ids, query parameters, Idempotency-Key) are made here, once, for all of them. A refusal is a
 * {@link CouponException} with the contract's code.
 */
public final class ApiRequest {
  /**
   * Printable ASCII without whitespace (RFC 5234's VCHAR): the HTTP parser folds a tab inside a header value into a
   * space, so a key with a control character in it can only be told by refusing whitespace too.
   */
  private static final Pattern VISIBLE_ASCII = Pattern.compile("[\\x21-\\x7E]{1,64}");
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  private final HttpRequest request;
  private final Map<String, String> pathParameters;
  private final String requestId;
  private final HttpContext http;
  private final Materializer materializer;

  ApiRequest(HttpRequest request, Map<String, String> pathParameters, String requestId, HttpContext http,
      Materializer materializer) {
    this.request = request;
    this.pathParameters = pathParameters;
    this.requestId = requestId;
    this.http = http;
    this.materializer = materializer;
  }

  public HttpRequest raw() {
    return request;
  }

  /** The X-Request-Id of this request (taken from it or generated): the correlation id of what it causes. */
  public String requestId() {
    return requestId;
  }

  /** The moment after which the caller no longer waits for an entity's answer (it is answered 503 then). */
  public Instant respondBy() {
    return http.respondBy();
  }

  /** The caller, from its token or the gateway's headers; 401 when there is none. */
  public Caller caller() {
    return http.authenticator().authenticate(this::header);
  }

  public Optional<String> header(String name) {
    return request.getHeader(name).map(HttpHeader::value);
  }

  /** A path id the router has checked to be a positive long. */
  public long id(String name) {
    return Long.parseLong(pathParameters.get(name));
  }

  /** A path segment that is free text (a reservation id, a coupon code). */
  public String segment(String name) {
    return pathParameters.get(name);
  }

  public Optional<String> query(String name) {
    return request.getUri().query().get(name);
  }

  /** The value of {@code name}; 400 when it is absent. */
  public String requiredQuery(String name) {
    return query(name).orElseThrow(() -> CouponException.invalid(name + " is required"));
  }

  /** The Idempotency-Key header: 1-64 printable ASCII characters, or null without one. */
  public String idempotencyKey() {
    Optional<String> key = header(IDEMPOTENCY_KEY);
    if (key.isPresent() && !isVisibleAscii(key.get())) {
      throw CouponException.invalid(IDEMPOTENCY_KEY + " must be 1-64 printable ASCII characters, no whitespace");
    }
    return key.orElse(null);
  }

  /** 1-64 printable ASCII characters without whitespace: an Idempotency-Key or X-Request-Id. */
  static boolean isVisibleAscii(String value) {
    return VISIBLE_ASCII.matcher(value).matches();
  }

  /** The JSON object of the body, up to the API's body limit (64 KiB). */
  public CompletionStage<JsonBody> jsonBody() {
    return body(MediaTypes.APPLICATION_JSON, http.maxBodyBytes()).thenApply(bytes -> JsonBody.parse(bytes.toArray()));
  }

  /** The same for an operation whose fields are all optional: no body at all reads as {@code {}}. */
  public CompletionStage<JsonBody> optionalJsonBody() {
    HttpEntity entity = request.entity();
    return entity.isKnownEmpty() || entity.getContentLengthOption().orElse(-1L) == 0
        ? CompletableFuture.completedFuture(JsonBody.EMPTY)
        : jsonBody();
  }

  /**
   * The body, which must be declared as {@code mediaType} (415 otherwise), be at most {@code maxBytes} (413), not be
   * empty (400) and arrive within the ask timeout (400).
   */
  public CompletionStage<ByteString> body(MediaType mediaType, long maxBytes) {
    return body(mediaType, maxBytes, http.askTimeout());
  }

  /**
   * The same for a body that may take {@code deadline} to arrive, from the moment it is asked for. (Pekko's
   * request-timeout does not limit the upload: it counts from the end of the request.)
   */
  public CompletionStage<ByteString> body(MediaType mediaType, long maxBytes, Duration deadline) {
    HttpEntity entity = request.entity();
    if (entity.isKnownEmpty() || entity.getContentLengthOption().orElse(-1L) == 0) {
      throw CouponException.invalid("a " + mediaType + " body is required");
    }
    if (!entity.getContentType().mediaType().equals(mediaType)) {
      throw new CouponException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "the body must be " + mediaType);
    }
    if (entity.getContentLengthOption().orElse(0L) > maxBytes) {
      // Read to its end first: answered before the body arrived, the client may meet a reset instead of the 413.
      return entity.discardBytes(materializer).completionStage().handle((done, failure) -> {
        throw tooLarge(maxBytes);
      });
    }
    if (entity instanceof HttpEntity.Strict strict) {
      return CompletableFuture.completedFuture(strict.getData());
    }
    return entity.withSizeLimit(maxBytes).toStrict(deadline.toMillis(), materializer)
        .handle((strict, failure) -> {
          if (failure != null) {
            Throwable cause = causeOf(failure);
            throw cause instanceof EntityStreamSizeException ? tooLarge(maxBytes)
                : cause instanceof TimeoutException ? CouponException.invalid("the body did not arrive within "
                    + seconds(deadline))
                : CouponException.invalid("the body could not be read");
          }
          return strict.getData();
        });
  }

  private static Throwable causeOf(Throwable failure) {
    return failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }

  private static String seconds(Duration duration) {
    return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
  }

  private static CouponException tooLarge(long maxBytes) {
    return new CouponException(ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than " + (maxBytes / 1024) + " KiB");
  }

  /** The positive long in {@code segment}, or 0. */
  static long parseId(String segment) {
    if (segment.isEmpty() || segment.length() > 19) {
      return 0;
    }
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c < '0' || c > '9') {
        return 0;
      }
    }
    try {
      return Math.max(0, Long.parseLong(segment));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
