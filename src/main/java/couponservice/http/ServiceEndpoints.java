package couponservice.http;

import couponservice.metrics.CouponMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;

/** What operators and tools read without a token: {@code /health}, {@code /metrics}, {@code /openapi.yaml}. */
public final class ServiceEndpoints {
  // Prometheus reads plain text as its text format 0.0.4.
  private static final ContentType METRICS_TYPE = ContentTypes.TEXT_PLAIN_UTF8;
  private static final ContentType OPENAPI_TYPE =
      ContentTypes.create(MediaTypes.applicationWithOpenCharset("yaml"), HttpCharsets.UTF_8);

  private final Responses responses;
  private final byte[] openApi;

  public ServiceEndpoints(Responses responses) {
    this.responses = responses;
    this.openApi = resource("openapi.yaml");
  }

  public List<Endpoint> endpoints() {
    return List.of(
        Endpoint.get("/health", request -> CompletableFuture.completedFuture(responses.json(200, Map.of("status", "UP")))),
        Endpoint.get("/metrics", request -> CompletableFuture.completedFuture(
            HttpResponse.create().withEntity(METRICS_TYPE, CouponMetrics.scrape()))),
        Endpoint.get("/openapi.yaml", request -> CompletableFuture.completedFuture(
            HttpResponse.create().withEntity(OPENAPI_TYPE, openApi))));
  }

  private static byte[] resource(String name) {
    try (InputStream in = ServiceEndpoints.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
