package couponservice.http;

import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.server.directives.ContentTypeResolver;

/**
 * {@code /admin/...}: the admin console's static files from the jar ({@code admin/}) and the WebJars it uses
 * under {@code /admin/vendor/}. The console is a client of the public API like any other, so this serves files
 * only. Every response, refusals included, carries a Content-Security-Policy that allows nothing but this origin's
 * own files: no inline script or style, no other origin, no framing.
 */
final class ConsoleRoutes extends AllDirectives {
  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
      + "connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
  private static final List<HttpHeader> SECURITY_HEADERS = List.of(
      RawHeader.create("Content-Security-Policy", CONTENT_SECURITY_POLICY),
      RawHeader.create("X-Content-Type-Options", "nosniff"),
      RawHeader.create("Referrer-Policy", "no-referrer"),
      // The console changes with the service: a browser revalidates instead of running a stale copy.
      RawHeader.create("Cache-Control", "no-cache"));
  // Browsers run ES modules only when served with a JavaScript type; text/javascript is the registered one.
  private static final ContentType JAVASCRIPT = ContentTypes.parse("text/javascript; charset=UTF-8");

  private final Route route;

  ConsoleRoutes(RejectionHandler rejectionHandler) {
    ContentTypeResolver types = fileName -> fileName.endsWith(".js")
        ? JAVASCRIPT
        : defaultContentTypeResolver().resolve(fileName);
    Route files = concat(
        pathEnd(() -> redirect(Uri.create("/admin/"), StatusCodes.MOVED_PERMANENTLY)),
        pathSingleSlash(() -> getFromResource("admin/index.html", ContentTypes.TEXT_HTML_UTF8)),
        pathPrefix("vendor", () -> getFromResourceDirectory("META-INF/resources/webjars", types)),
        getFromResourceDirectory("admin", types));
    // Refusals are answered here, inside the headers, so a 404 under /admin carries them too.
    Route handled = handleRejections(rejectionHandler, () -> files);
    this.route = respondWithHeaders(SECURITY_HEADERS, () -> handled);
  }

  /** The route for what follows {@code /admin}. */
  Route route() {
    return route;
  }
}
