package couponservice.http;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * One endpoint of the API: a method, a path template such as {@code /api/coupons/{couponId}/cancel}, and the
 * operation that answers it. Segments in braces are parameters; those whose name ends in {@code Id} (except
 * {@code reservationId}) must be positive longs.
 */
public record Endpoint(HttpMethod method, String template, Operation operation) {

  /** Answers one request that matched the endpoint; a {@link couponservice.CouponException} refuses it. */
  @FunctionalInterface
  public interface Operation {
    CompletionStage<HttpResponse> answer(ApiRequest request);
  }

  public static Endpoint get(String template, Operation operation) {
    return new Endpoint(HttpMethods.GET, template, operation);
  }

  public static Endpoint post(String template, Operation operation) {
    return new Endpoint(HttpMethods.POST, template, operation);
  }

  public static Endpoint patch(String template, Operation operation) {
    return new Endpoint(HttpMethods.PATCH, template, operation);
  }

  public static Endpoint delete(String template, Operation operation) {
    return new Endpoint(HttpMethods.DELETE, template, operation);
  }
}
