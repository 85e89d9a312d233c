package couponservice.http;

import static couponservice.testkit.ApiAssertions.assertErrorBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.typesafe.config.ConfigFactory;
import couponservice.node.ServiceConfig;
import couponservice.node.ServiceNode;
import couponservice.StartupException;
import couponservice.auth.Role;
import couponservice.auth.TokenMinter;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.Eventually;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestIdentityProvider;
import couponservice.testkit.TestNodes;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * A node set up for a Keycloak-like realm (JWKS, issuer, audience, roles at {@code realm_access.roles}) accepts the
 * realm's RS256 and ES256 tokens of every role through its API, and answers every other token 401.
 */
class IdentityProviderAuthenticationTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();
  private static TestIdentityProvider idp;
  private static ServiceNode node;
  private static long policyId;

  @BeforeAll
  static void start() {
    idp = TestIdentityProvider.start();
    node = TestNodes.start(TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(),
        ConfigFactory.parseMap(realmSettings(idp.jwksUrl()))));
    Response created = api.send(node.httpPort(), "POST", "/api/coupon-policies", token(idp.rsaKey(), "ops", "ADMIN"),
        Map.of("couponName", "Realm coupon", "discountType", "FIXED_AMOUNT", "discountValue", 1000,
            "distributionType", "DOWNLOAD", "validDays", 30,
            "validFrom", "2020-01-01T00:00:00Z", "validUntil", "2099-12-31T23:59:59Z"));
    assertEquals(201, created.status(), () -> created.body().toString());
    policyId = created.longField("policyId");
  }

  @AfterAll
  static void stop() {
    node.close();
    idp.close();
  }

  private static Map<String, Object> realmSettings(String jwksUrl) {
    return Map.of("coupon.auth.jwks-url", jwksUrl,
        "coupon.auth.issuer", idp.realmUrl(),
        "coupon.auth.audience", TestIdentityProvider.AUDIENCE,
        "coupon.auth.roles-claim", "realm_access.roles");
  }

  /** Claims as the realm issues them, its realm roles beside the service's. */
  private static JWTClaimsSet.Builder claims(String subject, String role) {
    return idp.claims(subject, Instant.now())
        .claim("realm_access", Map.of("roles", List.of("offline_access", role, "default-roles-coupon")));
  }

  private static String token(JWK key, String subject, String role) {
    return TestIdentityProvider.sign(key, claims(subject, role).build());
  }

  static Stream<Arguments> keys() {
    return Stream.of(Arguments.of("RS256", idp.rsaKey()), Arguments.of("ES256", idp.ecKey()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keys")
  void theRealmsTokensOfEveryRoleAreAccepted(String algorithm, JWK key) {
    int port = node.httpPort();
    long userId = algorithm.equals("RS256") ? 501 : 502;
    String issue = "/api/coupon-policies/" + policyId + "/issue";

    assertEquals(200, api.send(port, "GET", "/api/coupon-policies/" + policyId, token(key, "ops", "ADMIN"), null)
        .status());
    assertEquals(201, api.send(port, "POST", issue, token(key, Long.toString(userId), "USER"),
        Map.of("userId", userId)).status());
    assertErrorBody(api.send(port, "POST", issue, token(key, Long.toString(userId), "USER"),
        Map.of("userId", userId + 100)), 403, "FORBIDDEN");
    Response wallet = api.send(port, "GET", "/api/coupons/users/" + userId, token(key, "checkout", "SERVICE"), null);
    assertEquals(200, wallet.status(), () -> wallet.body().toString());
    assertErrorBody(api.send(port, "POST", "/api/coupon-policies/" + policyId + "/deactivate",
        token(key, "checkout", "SERVICE"), null), 403, "FORBIDDEN");
  }

  static Stream<Arguments> refusedTokens() throws Exception {
    JWTClaimsSet admin = claims("ops", "ADMIN").build();
    SignedJWT underThePublicKey = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256)
        .keyID(idp.rsaKey().getKeyID()).build(), admin);
    underThePublicKey.sign(new MACSigner(idp.rsaKey().toRSAPublicKey().getEncoded()));
    Instant now = Instant.now();
    return Stream.of(
        Arguments.of("alg none", new PlainJWT(admin).serialize()),
        Arguments.of("HS256 keyed with the RSA public key", underThePublicKey.serialize()),
        Arguments.of("HS256 with the right secret but the roles at the top", new TokenMinter(
            TestNodes.JWT_SECRET).mint("ops", List.of(Role.ADMIN), Duration.ofHours(1))),
        Arguments.of("unknown kid", TestIdentityProvider.sign(TestIdentityProvider.rsaKey("rsa-unknown"), admin)),
        Arguments.of("another issuer", TestIdentityProvider.sign(idp.rsaKey(), claims("ops", "ADMIN")
            .issuer("http://127.0.0.1:1/realms/other").build())),
        Arguments.of("another audience", TestIdentityProvider.sign(idp.ecKey(), claims("ops", "ADMIN")
            .audience("account").build())),
        Arguments.of("expired beyond the skew", TestIdentityProvider.sign(idp.rsaKey(), claims("ops", "ADMIN")
            .expirationTime(Date.from(now.minusSeconds(120))).build())),
        Arguments.of("no exp", TestIdentityProvider.sign(idp.ecKey(), claims("ops", "ADMIN").expirationTime(null)
            .build())),
        Arguments.of("only other applications' roles", TestIdentityProvider.sign(idp.rsaKey(),
            claims("ops", "offline_access").build())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedTokens")
  void everyOtherTokenIsUnauthorizedWithTheErrorBody(String attack, String token) {
    Response refused = api.send(node.httpPort(), "GET", "/api/coupon-policies/" + policyId, token, null);
    assertErrorBody(refused, 401, "UNAUTHORIZED");
    assertFalse(refused.raw().body().contains(token.split("\\.")[0]), refused.raw().body());
  }

  @Test
  void aTokenExpiredWithinTheClockSkewIsAccepted() {
    String token = TestIdentityProvider.sign(idp.rsaKey(), claims("ops", "ADMIN")
        .expirationTime(Date.from(Instant.now().minusSeconds(20))).build());
    assertEquals(200, api.send(node.httpPort(), "GET", "/api/coupon-policies/" + policyId, token, null).status());
  }

  @Test
  void anUnreachableJwksStopsStartupWithOneLine() {
    String url = "http://127.0.0.1:" + TestNodes.freePort() + "/realms/coupon/protocol/openid-connect/certs";
    StartupException refused = assertThrows(StartupException.class, () -> ServiceNode.start(ServiceConfig.load("prod",
        TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(), ConfigFactory.parseMap(realmSettings(url))),
        Map.of())));
    assertEquals("cannot fetch the JWKS at " + url + ": Connection refused", refused.getMessage());
  }

  @Test
  void aMalformedAuthorizationHeaderIsNotLoggedWithItsToken() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    root.addAppender(logged);
    try {
      String token = token(idp.rsaKey(), "ops", "ADMIN");
      int port = node.httpPort();
      assertErrorBody(api.send(ApiClient.request(port, "GET", "/api/coupon-policies/" + policyId, null, null)
          .header("Authorization", "Bearer " + token + " @trailing").build()), 401, "UNAUTHORIZED");
      // Warnings are logged in order: once this later one is out, the first request's would have been too.
      api.send(ApiClient.request(port, "GET", "/health", null, null).header("If-Modified-Since", "not a date").build());
      Eventually.await(Duration.ofSeconds(10), "the later request's header warning", () -> events(logged).stream()
          .anyMatch(line -> line.contains("if-modified-since")));
      String signature = token.split("\\.")[2];
      assertFalse(events(logged).stream().anyMatch(line -> line.contains(signature)), () -> String.join("\n",
          events(logged)));
    } finally {
      root.detachAppender(logged);
    }
  }

  private static List<String> events(ListAppender<ILoggingEvent> appender) {
    synchronized (appender) {
      return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }
}
