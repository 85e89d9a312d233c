package couponservice.http;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * One endpoint of the API: a method, a path template such as {@code /api/coupons/{couponId}/cancel}, and the
 * operation that answers it. Segments in braces are parameters; those whose name ends in {@code Id} (except
 * {@code reservationId}) must be positive longs; a last segment {@code {*name}} takes the rest of the path.
 * {@code headers} go on every answer to a request for this template, refusals included.
 */
public record Endpoint(HttpMethod method, String template, Operation operation, List<HttpHeader> headers) {

  /** Answers one request that matched the endpoint; a {@link couponservice.CouponException} refuses it. */
  @FunctionalInterface
  public interface Operation {
    CompletionStage<HttpResponse> answer(ApiRequest request);
  }

  public static Endpoint get(String template, Operation operation) {
    return new Endpoint(HttpMethods.GET, template, operation, List.of());
  }

  public static Endpoint post(String template, Operation operation) {
    return new Endpoint(HttpMethods.POST, template, operation, List.of());
  }

  public static Endpoint patch(String template, Operation operation) {
    return new Endpoint(HttpMethods.PATCH, template, operation, List.of());
  }

  public static Endpoint delete(String template, Operation operation) {
    return new Endpoint(HttpMethods.DELETE, template, operation, List.of());
  }

  public Endpoint withHeaders(List<HttpHeader> headers) {
    return new Endpoint(method, template, operation, headers);
  }
}
