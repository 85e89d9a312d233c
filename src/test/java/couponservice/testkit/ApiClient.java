package couponservice.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import couponservice.auth.Role;
import couponservice.auth.TokenMinter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A client of the HTTP API for tests: real HTTP over loopback, tokens signed with the test secret. */
public final class ApiClient implements AutoCloseable, AfterAllCallback {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TokenMinter TOKENS = new TokenMinter(TestNodes.JWT_SECRET);
  // Long enough for tests that move a node's clock years ahead.
  private static final Duration TOKEN_LIFETIME = Duration.ofDays(365 * 20);

  private final ExecutorService executor = Executors.newFixedThreadPool(8);
  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      // Generous: a node starting or a busy two-core machine can be slow to accept.
      .connectTimeout(Duration.ofSeconds(15))
      .executor(executor)
      .build();

  public record Response(int status, JsonNode body, HttpResponse<String> raw) {
    public String code() {
      return body.path("code").asText(null);
    }

    public long longField(String name) {
      return body.path(name).asLong();
    }
  }

  public static String adminToken() {
    return TOKENS.mint("test-admin", List.of(Role.ADMIN), TOKEN_LIFETIME);
  }

  public static String userToken(long userId) {
    return TOKENS.mint(Long.toString(userId), List.of(Role.USER), TOKEN_LIFETIME);
  }

  public static String serviceToken() {
    return TOKENS.mint("order-service", List.of(Role.SERVICE), TOKEN_LIFETIME);
  }

  public static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  public static HttpRequest.Builder request(int port, String method, String path, String token, String body) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      builder.header("Content-Type", "application/json");
    }
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    return builder;
  }

  public CompletableFuture<Response> sendAsync(HttpRequest request) {
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(ApiClient::toResponse);
  }

  public Response send(HttpRequest request) {
    return sendAsync(request).join();
  }

  public Response send(int port, String method, String path, String token, Object body) {
    return send(request(port, method, path, token, body == null ? null : json(body)).build());
  }

  /** A response read off a socket as text (status line, headers, body); {@code raw()} is null. */
  public static Response parseRaw(String response) {
    int headEnd = response.indexOf("\r\n\r\n");
    if (!response.startsWith("HTTP/1.1 ") || headEnd < 0) {
      throw new AssertionError("not an HTTP response: " + response);
    }
    String body = response.substring(headEnd + 4);
    try {
      return new Response(Integer.parseInt(response.substring(9, 12)),
          body.isEmpty() ? MissingNode.getInstance() : JSON.readTree(body), null);
    } catch (IOException e) {
      throw new AssertionError("response is not JSON: " + body, e);
    }
  }

  /** The body of {@code GET path} as text, for answers that are not JSON ({@code /metrics}); fails unless 200. */
  public String text(int port, String path) {
    HttpResponse<String> raw = client.sendAsync(request(port, "GET", path, null, null).build(),
        HttpResponse.BodyHandlers.ofString()).join();
    if (raw.statusCode() != 200) {
      throw new AssertionError("GET " + path + " answered " + raw.statusCode());
    }
    return raw.body();
  }

  private static Response toResponse(HttpResponse<String> raw) {
    JsonNode body;
    try {
      body = raw.body().isEmpty() ? MissingNode.getInstance() : JSON.readTree(raw.body());
    } catch (IOException e) {
      throw new AssertionError("response is not JSON: " + raw.body(), e);
    }
    return new Response(raw.statusCode(), body, raw);
  }

  /** Issues a coupon of {@code policyId} to {@code userId} as that user, with an Idempotency-Key unless it is null. */
  public Response issue(int port, long policyId, long userId, String idempotencyKey) {
    HttpRequest.Builder request = request(port, "POST", "/api/coupon-policies/" + policyId + "/issue",
        userToken(userId), json(Map.of("userId", userId)));
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    return send(request.build());
  }

  /** Creates a policy as admin and returns its id; {@code overrides} replace fields of a valid CODE-less body. */
  public long createPolicy(int port, Map<String, Object> overrides) {
    Map<String, Object> body = new java.util.HashMap<>(Map.of(
        "couponName", "Test coupon",
        "discountType", "FIXED_AMOUNT",
        "discountValue", 1000,
        "distributionType", "FIRST_COME",
        "maxIssueCount", 100,
        "maxIssuePerUser", 1,
        "validDays", 30,
        "validFrom", "2020-01-01T00:00:00Z",
        "validUntil", "2099-12-31T23:59:59Z"));
    body.putAll(overrides);
    Response response = send(port, "POST", "/api/coupon-policies", adminToken(), body);
    if (response.status() != 201) {
      throw new AssertionError("policy creation failed: " + response.status() + " " + response.body());
    }
    return response.longField("policyId");
  }

  /** Registered as a JUnit extension on a static field, the client is closed after the test class. */
  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
