package couponservice.http;

import couponservice.CouponException;
import couponservice.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * {@code /admin/...}: the admin console's static files from the jar ({@code admin/}) and the WebJars it uses under
 * {@code /admin/vendor/}. The console is a client of the public API like any other, so this serves files only.
 * Every answer, refusals included, carries a Content-Security-Policy that allows nothing but this origin's own
 * files: no inline script or style, no other origin, no framing.
 */
public final class ConsoleEndpoints {
  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
      + "connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
  private static final List<HttpHeader> SECURITY_HEADERS = List.of(
      RawHeader.create("Content-Security-Policy", CONTENT_SECURITY_POLICY),
      RawHeader.create("X-Content-Type-Options", "nosniff"),
      RawHeader.create("Referrer-Policy", "no-referrer"),
      // The console changes with the service: a browser revalidates instead of running a stale copy.
      RawHeader.create("Cache-Control", "no-cache"));
  private static final String VENDOR = "vendor/";
  // Browsers run ES modules only when served with a JavaScript type; text/javascript is the registered one.
  private static final Map<String, ContentType> TYPES = Map.of(
      "html", ContentTypes.TEXT_HTML_UTF8,
      "js", ContentTypes.parse("text/javascript; charset=UTF-8"),
      "css", ContentTypes.create(MediaTypes.TEXT_CSS, org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8),
      "png", ContentTypes.create(MediaTypes.IMAGE_PNG),
      "svg", ContentTypes.create(MediaTypes.IMAGE_SVG_XML),
      "json", ContentTypes.APPLICATION_JSON,
      "map", ContentTypes.APPLICATION_JSON);

  /** Files read once: the console's files never change while the node runs. */
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();

  public List<Endpoint> endpoints() {
    return List.of(
        Endpoint.get("/admin", request -> CompletableFuture.completedFuture(HttpResponse.create()
            .withStatus(StatusCodes.MOVED_PERMANENTLY).addHeader(Location.create("/admin/")))),
        Endpoint.get("/admin/", request -> serve("admin/index.html")),
        Endpoint.get("/admin/{*file}", request -> {
          String file = request.segment("file");
          return serve(file.startsWith(VENDOR)
              ? "META-INF/resources/webjars/" + file.substring(VENDOR.length())
              : "admin/" + file);
        })).stream().map(endpoint -> endpoint.withHeaders(SECURITY_HEADERS)).toList();
  }

  private CompletionStage<HttpResponse> serve(String resource) {
    String extension = resource.substring(resource.lastIndexOf('.') + 1);
    if (!isPlainFile(resource) || !TYPES.containsKey(extension)) {
      throw notFound();
    }
    byte[] bytes = files.computeIfAbsent(resource, ConsoleEndpoints::read);
    if (bytes.length == 0) {
      throw notFound();
    }
    return CompletableFuture.completedFuture(HttpResponse.create().withEntity(TYPES.get(extension), bytes));
  }

  /** A path of named segments only: nothing that climbs out of the console's directories. */
  private static boolean isPlainFile(String resource) {
    for (String segment : resource.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || segment.contains("\\")) {
        return false;
      }
    }
    return true;
  }

  /** The resource's bytes, or none when the jar has no such file. */
  private static byte[] read(String resource) {
    try (InputStream in = ConsoleEndpoints.class.getClassLoader().getResourceAsStream(resource)) {
      return in == null ? new byte[0] : in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static CouponException notFound() {
    return new CouponException(ErrorCode.NOT_FOUND, "no such file");
  }
}
