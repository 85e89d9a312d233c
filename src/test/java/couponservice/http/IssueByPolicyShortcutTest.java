package couponservice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import couponservice.auth.Role;
import couponservice.auth.TokenMinter;
import couponservice.ratelimit.IssueRateLimiter;
import couponservice.ratelimit.RateLimitDecision;
import couponservice.testkit.TestNodes;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shortcut answers a well-formed issue request itself, and leaves every other request to the routes before
 * it spends anything: the user's rate limit stands for the side effects here (it refuses, so no entity is asked).
 */
class IssueByPolicyShortcutTest {
  private static final String SECRET = "shortcut-test-secret-0123456789abcdef";
  private static final TokenMinter TOKENS = new TokenMinter(SECRET);
  private static final String ADMIN = "Bearer " + TOKENS.mint("admin", List.of(Role.ADMIN), Duration.ofHours(1));
  private static final String USER_7 = "Bearer " + TOKENS.mint("7", List.of(Role.USER), Duration.ofHours(1));

  private final List<Long> rateLimitChecks = new CopyOnWriteArrayList<>();
  private final IssueByPolicyShortcut shortcut = shortcut(new IssueRateLimiter() {
    @Override
    public CompletionStage<RateLimitDecision> check(long userId) {
      rateLimitChecks.add(userId);
      return CompletableFuture.completedFuture(new RateLimitDecision(false, 30, false));
    }

    @Override
    public void close() {}
  });

  private static IssueByPolicyShortcut shortcut(IssueRateLimiter rateLimiter) {
    Clock clock = Clock.systemUTC();
    HttpContext http = new HttpContext(null, TestNodes.authenticator(Map.of("jwt-secret", SECRET), clock),
        new Responses(clock), Duration.ofSeconds(5), 100, Runnable::run, Runnable::run);
    return new IssueByPolicyShortcut(http, new IssuanceRoutes(http, null, rateLimiter, clock));
  }

  private static HttpRequest post(String path, String authorization, HttpEntity.Strict body) {
    return HttpRequest.POST(path).withEntity(body).addHeader(RawHeader.create("Authorization", authorization));
  }

  private static HttpEntity.Strict json(String body) {
    return HttpEntities.create(ContentTypes.APPLICATION_JSON, body);
  }

  @Test
  void answersAWellFormedRequestItself() throws Exception {
    Optional<CompletionStage<HttpResponse>> admin = shortcut.answer(post("/api/coupon-policies/12/issue", ADMIN,
        json("{\"userId\":5}")));
    Optional<CompletionStage<HttpResponse>> self = shortcut.answer(post("/api/coupon-policies/12/issue", USER_7,
        json("{\"userId\":7}")).addHeader(RawHeader.create("Idempotency-Key", "order-1")));

    assertTrue(admin.isPresent() && self.isPresent());
    HttpResponse response = admin.get().toCompletableFuture().get();
    assertEquals(429, response.status().intValue());
    assertEquals(Optional.of("30"), response.getHeader("Retry-After").map(h -> h.value()));
    assertEquals(429, self.get().toCompletableFuture().get().status().intValue());
    assertEquals(List.of(5L, 7L), rateLimitChecks);
  }

  @Test
  void answersAnIssuanceThatThrowsWithTheContractsError() throws Exception {
    IssueByPolicyShortcut failing = shortcut(new IssueRateLimiter() {
      @Override
      public CompletionStage<RateLimitDecision> check(long userId) {
        throw new IllegalStateException("limiter broken");
      }

      @Override
      public void close() {}
    });

    HttpResponse response = failing.answer(post("/api/coupon-policies/12/issue", ADMIN, json("{\"userId\":5}")))
        .orElseThrow().toCompletableFuture().get();

    assertEquals(503, response.status().intValue());
    String body = ((HttpEntity.Strict) response.entity()).getData().utf8String();
    assertTrue(body.contains("\"code\":\"SERVICE_UNAVAILABLE\"") && !body.contains("limiter broken"), body);
  }

  static Stream<Arguments> requestsForTheRoutes() {
    String path = "/api/coupon-policies/12/issue";
    HttpEntity.Strict body = json("{\"userId\":5}");
    return Stream.of(
        Arguments.of("GET", HttpRequest.GET(path).addHeader(RawHeader.create("Authorization", ADMIN))),
        Arguments.of("non-numeric policy id", post("/api/coupon-policies/x1/issue", ADMIN, body)),
        Arguments.of("policy id 0", post("/api/coupon-policies/0/issue", ADMIN, body)),
        Arguments.of("two id segments", post("/api/coupon-policies/1/2/issue", ADMIN, body)),
        Arguments.of("trailing slash", post(path + "/", ADMIN, body)),
        Arguments.of("other endpoint", post("/api/coupon-policies/12/activate", ADMIN, body)),
        Arguments.of("no token", HttpRequest.POST(path).withEntity(body)),
        Arguments.of("forged token", post(path, "Bearer " + new TokenMinter("another-secret-0123456789abcdefghij")
            .mint("admin", List.of(Role.ADMIN), Duration.ofHours(1)), body)),
        Arguments.of("a user for another user", post(path, USER_7, body)),
        Arguments.of("not JSON", post(path, ADMIN, HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, "{\"userId\":5}"))),
        Arguments.of("empty body", post(path, ADMIN, json(""))),
        Arguments.of("over the size limit", post(path, ADMIN, json("{\"userId\":5,\"pad\":\"" + "x".repeat(100) + "\"}"))),
        Arguments.of("malformed JSON", post(path, ADMIN, json("{\"userId\":"))),
        Arguments.of("userId as a string", post(path, ADMIN, json("{\"userId\":\"5\"}"))),
        Arguments.of("bad Idempotency-Key", post(path, ADMIN, body).addHeader(RawHeader.create("Idempotency-Key", "é"))),
        Arguments.of("streamed body", HttpRequest.POST(path).addHeader(RawHeader.create("Authorization", ADMIN))
            .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, 12,
                Source.single(ByteString.fromString("{\"userId\":5}", StandardCharsets.UTF_8))))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requestsForTheRoutes")
  void leavesEveryOtherRequestToTheRoutesBeforeItSpendsAnything(String what, HttpRequest request) {
    assertEquals(Optional.empty(), shortcut.answer(request));
    assertEquals(List.of(), rateLimitChecks);
  }

  @Test
  void findsThePolicyIdOfAnIssuePathOnly() {
    assertEquals(42, RouteShortcut.idIn("/api/coupon-policies/42/issue", "/api/coupon-policies/", "/issue"));
    assertEquals(0, RouteShortcut.idIn("/api/coupon-policies//issue", "/api/coupon-policies/", "/issue"));
    assertEquals(0, RouteShortcut.idIn("/api/coupon-policies/-3/issue", "/api/coupon-policies/", "/issue"));
    assertEquals(0, RouteShortcut.idIn("/api/coupon-policies/99999999999999999999/issue", "/api/coupon-policies/", "/issue"));
    assertEquals(0, RouteShortcut.idIn("/api/coupons/42/issue", "/api/coupon-policies/", "/issue"));
  }
}
