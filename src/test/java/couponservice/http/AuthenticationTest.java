package couponservice.http;

import static couponservice.testkit.ApiAssertions.assertErrorBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import couponservice.node.ServiceConfig;
import couponservice.node.ServiceNode;
import couponservice.StartupException;
import couponservice.auth.Role;
import couponservice.auth.TokenMinter;
import couponservice.testkit.ApiClient;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Forged, expired and missing credentials get 401; callers acting beyond their roles get 403. */
class AuthenticationTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  private static ServiceNode node;
  @RegisterExtension
  static final ApiClient api = new ApiClient();
  private static long policyId;

  @BeforeAll
  static void start() {
    node = TestNodes.startSingle(database);
    policyId = api.createPolicy(node.httpPort(), Map.of("distributionType", "DOWNLOAD"));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static String base64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String payload(String subject, String roles, long exp) {
    return base64("{\"sub\":\"" + subject + "\",\"roles\":" + roles + (exp == 0 ? "" : ",\"exp\":" + exp) + "}");
  }

  private static long inOneHour() {
    return System.currentTimeMillis() / 1000 + 3600;
  }

  /** A token signed with HMAC under the service's own secret, whatever algorithm the header claims. */
  private static String hmacSigned(String algorithmHeader, String javaMac, String payload) {
    String signingInput = base64("{\"alg\":\"" + algorithmHeader + "\"}") + "." + payload;
    try {
      Mac mac = Mac.getInstance(javaMac);
      mac.init(new SecretKeySpec(TestNodes.JWT_SECRET.getBytes(StandardCharsets.UTF_8), javaMac));
      return signingInput + "." + Base64.getUrlEncoder().withoutPadding()
          .encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Stream<Arguments> forgedTokens() {
    String admin = payload("mallory", "[\"ADMIN\"]", inOneHour());
    String validUser = ApiClient.userToken(5);
    String[] parts = validUser.split("\\.");
    return Stream.of(
        Arguments.of("alg none", base64("{\"alg\":\"none\"}") + "." + admin + "."),
        Arguments.of("alg none with a signature", base64("{\"alg\":\"none\"}") + "." + admin + ".c2lnbmF0dXJl"),
        Arguments.of("expired", new TokenMinter(TestNodes.JWT_SECRET).mint("1", List.of(Role.ADMIN), Duration.ofMinutes(-2))),
        Arguments.of("wrong secret", new TokenMinter("another-secret-that-is-long-enough-0123456789")
            .mint("1", List.of(Role.ADMIN), Duration.ofHours(1))),
        Arguments.of("HS384 under the right secret", hmacSigned("HS384", "HmacSHA384", admin)),
        Arguments.of("RS256 header over an HMAC signature", hmacSigned("RS256", "HmacSHA256", admin)),
        Arguments.of("no exp claim", hmacSigned("HS256", "HmacSHA256", payload("1", "[\"ADMIN\"]", 0))),
        Arguments.of("payload swapped for an admin one", parts[0] + "." + admin + "." + parts[2]),
        Arguments.of("USER whose subject is not a user id", hmacSigned("HS256", "HmacSHA256",
            payload("bob", "[\"USER\"]", inOneHour()))),
        Arguments.of("unknown role", hmacSigned("HS256", "HmacSHA256", payload("1", "[\"ROOT\"]", inOneHour()))),
        Arguments.of("not a JWT", "not-a-token"),
        Arguments.of("empty", ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forgedTokens")
  void aForgedOrExpiredTokenIsUnauthorized(String attack, String token) {
    HttpRequest request = HttpRequest.newBuilder(ApiClient.request(node.httpPort(), "GET",
            "/api/coupon-policies/" + policyId, null, null).build().uri())
        .header("Authorization", "Bearer " + token).GET().build();
    assertErrorBody(api.send(request), 401, "UNAUTHORIZED");
  }

  @Test
  void noTokenOrAnotherSchemeIsUnauthorized() {
    assertErrorBody(api.send(node.httpPort(), "GET", "/api/coupon-policies/" + policyId, null, null), 401, "UNAUTHORIZED");
    HttpRequest basic = ApiClient.request(node.httpPort(), "GET", "/api/coupon-policies/" + policyId, null, null)
        .header("Authorization", "Basic dXNlcjpwYXNz").build();
    assertErrorBody(api.send(basic), 401, "UNAUTHORIZED");
  }

  @Test
  void gatewayHeadersAreIgnoredInJwtMode() {
    HttpRequest request = ApiClient.request(node.httpPort(), "POST", "/api/coupon-policies/" + policyId + "/issue", null,
        "{\"userId\":7}").header("X-User-Id", "7").header("X-User-Roles", "ADMIN").build();
    assertErrorBody(api.send(request), 401, "UNAUTHORIZED");
  }

  @Test
  void callersActingBeyondTheirRolesAreForbidden() {
    int port = node.httpPort();
    String issue = "/api/coupon-policies/" + policyId + "/issue";
    assertErrorBody(api.send(port, "POST", issue, ApiClient.userToken(5), Map.of("userId", 6)), 403, "FORBIDDEN");
    assertErrorBody(api.send(port, "POST", issue, ApiClient.serviceToken(), Map.of("userId", 6)), 403, "FORBIDDEN");
    assertErrorBody(api.send(port, "POST", "/api/coupon-policies", ApiClient.userToken(5), Map.of("couponName", "x")),
        403, "FORBIDDEN");
    assertErrorBody(api.send(port, "POST", "/api/coupon-policies/" + policyId + "/deactivate", ApiClient.userToken(5), null),
        403, "FORBIDDEN");
    assertErrorBody(api.send(port, "POST", "/api/coupons/direct-issue", ApiClient.serviceToken(),
        Map.of("couponPolicyId", policyId, "userIds", List.of(1))), 403, "FORBIDDEN");

    assertEquals(200, api.send(port, "GET", "/api/coupon-policies/" + policyId, ApiClient.userToken(5), null).status());
    assertEquals(201, api.send(port, "POST", issue, ApiClient.userToken(5), Map.of("userId", 5)).status());
    assertEquals(201, api.send(port, "POST", issue, ApiClient.adminToken(), Map.of("userId", 6)).status());
  }

  @Test
  void gatewayModeTrustsTheGatewaysHeadersOnlyWithTheGatewaysToken() {
    String gatewayToken = "gateway-shared-token-0123456789abcdefgh";
    try (TestDatabase gatewayDatabase = TestDatabase.create();
        ServiceNode gateway = TestNodes.start(TestNodes.nodeConfig(gatewayDatabase, TestNodes.freePort(), List.of(),
            ConfigFactory.parseMap(Map.of("coupon.auth.mode", "gateway", "coupon.auth.jwt-secret", "",
                "coupon.auth.gateway-token", gatewayToken))))) {
      int port = gateway.httpPort();
      String body = ApiClient.json(Map.of(
          "couponName", "Gateway", "discountType", "FIXED_AMOUNT", "discountValue", 500,
          "distributionType", "DOWNLOAD", "validDays", 3,
          "validFrom", "2020-01-01T00:00:00Z", "validUntil", "2099-01-01T00:00:00Z"));
      HttpRequest.Builder asAdmin = ApiClient.request(port, "POST", "/api/coupon-policies", null, body)
          .header("X-User-Id", "ops").header("X-User-Roles", "ADMIN");
      assertErrorBody(api.send(asAdmin.copy().build()), 401, "UNAUTHORIZED");
      assertErrorBody(api.send(asAdmin.copy().header("X-Gateway-Token", gatewayToken.substring(1) + "x").build()),
          401, "UNAUTHORIZED");
      assertErrorBody(api.send(asAdmin.copy().header("X-Gateway-Token", gatewayToken + gatewayToken).build()),
          401, "UNAUTHORIZED");
      long id = api.send(asAdmin.copy().header("X-Gateway-Token", gatewayToken).build()).longField("policyId");
      assertTrue(id > 0);

      String issue = "/api/coupon-policies/" + id + "/issue";
      HttpRequest asUser = ApiClient.request(port, "POST", issue, null, "{\"userId\":42}").header("X-User-Id", "42")
          .header("X-Gateway-Token", gatewayToken).build();
      assertEquals(201, api.send(asUser).status());
      HttpRequest forOther = ApiClient.request(port, "POST", issue, null, "{\"userId\":43}").header("X-User-Id", "42")
          .header("X-Gateway-Token", gatewayToken).build();
      assertErrorBody(api.send(forOther), 403, "FORBIDDEN");
      assertErrorBody(api.send(ApiClient.request(port, "POST", issue, ApiClient.adminToken(), "{\"userId\":43}")
          .header("X-Gateway-Token", gatewayToken).build()), 401, "UNAUTHORIZED");
    }
  }

  /** The one line a node of the prod profile with these settings stops at. */
  private static String startupRefusal(Map<String, Object> settings) {
    return assertThrows(StartupException.class, () -> ServiceNode.start(ServiceConfig.load("prod",
        TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(), ConfigFactory.parseMap(settings)), Map.of())))
        .getMessage();
  }

  @Test
  void gatewayModeRefusesToStartWithoutALongEnoughGatewayToken() {
    assertEquals("COUPON_AUTH_MODE=gateway needs COUPON_AUTH_GATEWAY_TOKEN (at least 32 bytes)",
        startupRefusal(Map.of("coupon.auth.mode", "gateway")));
    assertEquals("COUPON_AUTH_GATEWAY_TOKEN must be at least 32 bytes, it has 31", startupRefusal(Map.of(
        "coupon.auth.mode", "gateway", "coupon.auth.gateway-token", "gateway-token-of-31-bytes-00000")));
  }
}
