package couponservice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import couponservice.auth.Role;
import couponservice.auth.TokenMinter;
import couponservice.readside.WalletReadModel.Filter;
import couponservice.readside.WalletReadModel.Position;
import couponservice.testkit.TestNodes;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The wallet shortcut accepts the listings the routes would answer 200, with the parameters they would parse, and
 * leaves every other request (refusals included) to the routes. Answering needs the read model: ReadSideContract
 * reads wallets through the running service, and so through this shortcut, on PostgreSQL and on H2.
 */
class WalletShortcutTest {
  private static final String SECRET = "wallet-shortcut-test-secret-0123456789";
  private static final TokenMinter TOKENS = new TokenMinter(SECRET);
  private static final String SERVICE = bearer("checkout", Role.SERVICE);
  private static final String USER_7 = bearer("7", Role.USER);

  private final WalletShortcut shortcut = shortcut();

  private static String bearer(String subject, Role role) {
    return "Bearer " + TOKENS.mint(subject, List.of(role), Duration.ofHours(1));
  }

  private static WalletShortcut shortcut() {
    Clock clock = Clock.systemUTC();
    HttpContext http = new HttpContext(null, TestNodes.authenticator(Map.of("jwt-secret", SECRET), clock),
        new Responses(clock), Duration.ofSeconds(5), 100, Runnable::run, Runnable::run);
    return new WalletShortcut(http, new WalletRoutes(http, null, clock));
  }

  private static HttpRequest get(String uri, String authorization) {
    return HttpRequest.GET(uri).addHeader(RawHeader.create("Authorization", authorization));
  }

  @Test
  void acceptsAListingWithTheParametersTheRoutesParse() {
    String cursor = Base64.getUrlEncoder().withoutPadding()
        .encodeToString("2026-12-01T10:00:00Z|991".getBytes(StandardCharsets.UTF_8));

    assertEquals(new WalletRoutes.Listing(7, Filter.ALL, null, 20), shortcut.accepted(get("/api/coupons/users/7", USER_7)));
    assertEquals(new WalletRoutes.Listing(12, Filter.USED, new Position(Instant.parse("2026-12-01T10:00:00Z"), 991), 5),
        shortcut.accepted(get("/api/coupons/users/12?status=USED&limit=5&cursor=" + cursor + "&other=x", SERVICE)));
    assertEquals(new WalletRoutes.Listing(7, Filter.ALL, null, 20), shortcut.accepted(get("/api/coupons/users/7?status=", USER_7)));
  }

  static Stream<Arguments> requestsForTheRoutes() {
    return Stream.of(
        Arguments.of("POST", HttpRequest.POST("/api/coupons/users/7").addHeader(RawHeader.create("Authorization", USER_7))),
        Arguments.of("expiring", get("/api/coupons/users/7/expiring", USER_7)),
        Arguments.of("statistics", get("/api/coupons/users/7/statistics", USER_7)),
        Arguments.of("trailing slash", get("/api/coupons/users/7/", USER_7)),
        Arguments.of("non-numeric user id", get("/api/coupons/users/x7", USER_7)),
        Arguments.of("user id 0", get("/api/coupons/users/0", SERVICE)),
        Arguments.of("no token", HttpRequest.GET("/api/coupons/users/7")),
        Arguments.of("another user's wallet", get("/api/coupons/users/8", USER_7)),
        Arguments.of("limit over 100", get("/api/coupons/users/7?limit=101", USER_7)),
        Arguments.of("limit not a number", get("/api/coupons/users/7?limit=ten", USER_7)),
        Arguments.of("unknown status", get("/api/coupons/users/7?status=GONE", USER_7)),
        Arguments.of("status ALL, which the contract does not name", get("/api/coupons/users/7?status=ALL", USER_7)),
        Arguments.of("foreign cursor", get("/api/coupons/users/7?cursor=bm90LWEtY3Vyc29y", USER_7)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requestsForTheRoutes")
  void leavesEveryOtherRequestToTheRoutes(String what, HttpRequest request) {
    assertEquals(Optional.empty(), shortcut.answer(request));
  }

  @Test
  void findsTheUserIdOfAWalletPathOnly() {
    assertEquals(7, RouteShortcut.idIn("/api/coupons/users/7", "/api/coupons/users/", ""));
    assertEquals(0, RouteShortcut.idIn("/api/coupons/users/", "/api/coupons/users/", ""));
    assertEquals(0, RouteShortcut.idIn("/api/coupons/users/7/expiring", "/api/coupons/users/", ""));
    assertNull(shortcut.accepted(get("/api/coupons/users/7/expiring", USER_7)));
  }

  @Test
  void answersAFailedQueryWithTheContractsError() throws Exception {
    // This shortcut's wallet has no read model, so its query fails.
    HttpResponse response = shortcut.answer(get("/api/coupons/users/7", USER_7)).orElseThrow().toCompletableFuture().get();

    assertEquals(503, response.status().intValue());
    String body = ((HttpEntity.Strict) response.entity()).getData().utf8String();
    assertTrue(body.contains("\"code\":\"SERVICE_UNAVAILABLE\"") && !body.contains("NullPointer"), body);
  }
}
