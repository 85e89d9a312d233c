package couponservice.http;

import couponservice.Json;
import couponservice.CouponException;
import couponservice.ErrorCode;
import couponservice.Outcome;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the HTTP responses of the API: JSON bodies and the contract's error body. */
public final class Responses {
  private static final Logger log = LoggerFactory.getLogger(Responses.class);
  /** Seconds a client should wait before retrying a 503. */
  private static final String RETRY_AFTER_SECONDS = "1";

  private final Clock clock;

  public Responses(Clock clock) {
    this.clock = clock;
  }

  public HttpResponse json(int status, Object body) {
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, Json.write(body)));
  }

  public HttpResponse error(ErrorCode code, String message) {
    HttpResponse response = json(code.status(), new ErrorBody(code, message, code.status(),
        clock.instant().truncatedTo(ChronoUnit.SECONDS)));
    if (code == ErrorCode.SERVICE_UNAVAILABLE) {
      return response.addHeaders(List.<HttpHeader>of(RawHeader.create("Retry-After", RETRY_AFTER_SECONDS)));
    }
    return response;
  }

  public HttpResponse error(CouponException e) {
    return error(e.code(), e.getMessage());
  }

  /** An entity's answer: the value with {@code successStatus} (no body for 204), or its refusal. */
  public <T> HttpResponse outcome(Outcome<T> outcome, int successStatus) {
    if (outcome instanceof Outcome.Ok<T> ok) {
      return successStatus == 204 ? noContent() : json(successStatus, ok.value());
    }
    Outcome.Rejected<T> rejected = (Outcome.Rejected<T>) outcome;
    return error(rejected.code(), rejected.message());
  }

  /**
   * A failure of a request's processing: a refusal we raised, or an entity that did not answer; anything else is
   * logged (with the request id the caller keeps in the MDC) and answered without internals.
   */
  public HttpResponse failure(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof CouponException refusal) {
      return error(refusal);
    }
    if (cause instanceof java.util.concurrent.TimeoutException) {
      return error(ErrorCode.SERVICE_UNAVAILABLE, "the service is overloaded or a node is unavailable; retry later");
    }
    log.error("Request failed", cause);
    return error(ErrorCode.SERVICE_UNAVAILABLE, "the request could not be completed; retry later");
  }

  public HttpResponse noContent() {
    return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
  }
}
