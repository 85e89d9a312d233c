package couponservice.http;

import static couponservice.testkit.ApiAssertions.assertErrorBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import couponservice.node.ServiceNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The admin console's files under /admin: types browsers accept, the security headers on every answer, 404s. */
class ConsoleEndpointsTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();
  private static final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private static final Pattern INLINE_SCRIPT = Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>", Pattern.CASE_INSENSITIVE);
  private static final Pattern INLINE_STYLE = Pattern.compile("<style|\\sstyle=|\\son[a-z]+=", Pattern.CASE_INSENSITIVE);
  private static ServiceNode node;

  @BeforeAll
  static void start() {
    node = TestNodes.startSingle(database);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static HttpResponse<String> get(String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("GET " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static void assertSecurityHeaders(HttpResponse<String> response) {
    assertEquals(ConsoleEndpoints.CONTENT_SECURITY_POLICY,
        response.headers().firstValue("Content-Security-Policy").orElse(null), response.uri()::toString);
    assertEquals("nosniff", response.headers().firstValue("X-Content-Type-Options").orElse(null));
  }

  private static String contentType(HttpResponse<String> response) {
    return response.headers().firstValue("Content-Type").orElse("");
  }

  /** Every file of the console, as a path under /admin/. */
  static Stream<String> consoleFiles() throws IOException, URISyntaxException {
    Path root = Path.of(ConsoleEndpointsTest.class.getResource("/admin").toURI());
    List<String> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(Files::isRegularFile).map(file -> root.relativize(file).toString().replace('\\', '/')).toList();
    }
    assertTrue(files.contains("index.html") && files.contains("js/app.js"), files::toString);
    return files.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("consoleFiles")
  void everyFileIsServedWithItsTypeAndTheSecurityHeaders(String file) {
    HttpResponse<String> response = get("/admin/" + file);
    assertEquals(200, response.statusCode(), file);
    assertSecurityHeaders(response);
    String expected = file.endsWith(".js") ? "text/javascript" : file.endsWith(".css") ? "text/css" : "text/html";
    assertTrue(contentType(response).startsWith(expected), file + " was served as " + contentType(response));
  }

  static Stream<String> consolePages() throws IOException, URISyntaxException {
    return consoleFiles().filter(file -> file.endsWith(".html"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("consolePages")
  void noPageHoldsInlineScriptOrStyle(String file) {
    String page = get("/admin/" + file).body();
    assertFalse(INLINE_SCRIPT.matcher(page).find(), file + " has an inline script");
    assertFalse(INLINE_STYLE.matcher(page).find(), file + " has an inline style or event handler");
  }

  @Test
  void theConsoleIsAtAdminSlash() {
    HttpResponse<String> redirect = get("/admin");
    assertEquals(301, redirect.statusCode());
    assertEquals("/admin/", redirect.headers().firstValue("Location").orElse(null));
    assertSecurityHeaders(redirect);

    HttpResponse<String> index = get("/admin/");
    assertEquals(200, index.statusCode());
    assertTrue(contentType(index).startsWith("text/html"), contentType(index));
    assertTrue(index.body().contains("<script type=\"module\" src=\"js/app.js\"></script>"), index.body());
    assertSecurityHeaders(index);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/admin/vendor/uplot/1.6.30/dist/uPlot.esm.js",
      "/admin/vendor/uplot/1.6.30/dist/uPlot.min.css",
      "/admin/vendor/swagger-ui/5.35.0/swagger-ui-bundle.js",
      "/admin/vendor/swagger-ui/5.35.0/swagger-ui.css"})
  void theWebJarsAreServedFromTheJar(String path) {
    HttpResponse<String> response = get(path);
    assertEquals(200, response.statusCode(), path);
    assertTrue(contentType(response).startsWith(path.endsWith(".js") ? "text/javascript" : "text/css"),
        contentType(response));
    assertSecurityHeaders(response);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/admin/nope.js",
      "/admin/js/",
      "/admin/vendor/",
      "/admin/vendor/uplot/9.9.9/dist/uPlot.esm.js",
      "/admin/..%2fapplication.conf",
      "/admin/js/..%2f..%2fapplication.conf",
      "/admin/vendor/..%2f..%2f..%2fapplication.conf"})
  void anUnknownFileIsTheContractsNotFound(String path) {
    HttpResponse<String> raw = get(path);
    assertSecurityHeaders(raw);
    assertErrorBody(api.send(ApiClient.request(node.httpPort(), "GET", path, null, null).build()), 404, "NOT_FOUND");
  }

  @Test
  void theConsoleOnlyServesFiles() {
    assertErrorBody(api.send(ApiClient.request(node.httpPort(), "POST", "/admin/", null, "{}").build()),
        405, "METHOD_NOT_ALLOWED");
  }
}
