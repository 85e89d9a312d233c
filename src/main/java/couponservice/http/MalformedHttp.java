package couponservice.http;

import couponservice.ErrorCode;
import java.time.Clock;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Requests so malformed that the HTTP parser refuses them before any route sees them (a control character in a
 * header, a broken request line): answered with the contract's error body too. Set as Pekko HTTP's
 * {@code parsing.error-handler} (http.conf), which instantiates it by name.
 */
public final class MalformedHttp extends ParsingErrorHandler {
  private final Responses responses = new Responses(Clock.systemUTC());

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo error, LoggingAdapter log, ServerSettings settings) {
    log.debug("Refused a request the HTTP parser could not read ({}): {}", status, error.summary());
    ErrorCode code = switch (status.intValue()) {
      case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
      case 405, 501 -> ErrorCode.METHOD_NOT_ALLOWED;
      default -> ErrorCode.VALIDATION_FAILED;
    };
    return responses.error(code, "the request is not valid HTTP: " + error.summary());
  }
}
