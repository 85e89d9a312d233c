package couponservice.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import couponservice.CouponException;
import couponservice.ErrorCode;
import couponservice.testkit.TestNodes;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The gateway mode's shared token, and the auth settings a node refuses to start with. */
class AuthenticatorTest {
  private static final String SECRET = "authenticator-test-secret-0123456789abcdef";

  @Test
  void theGatewayModeNeedsTheGatewaysTokenOnEveryRequest() {
    String gatewayToken = "gateway-token-0123456789abcdefghijklmnop";
    Authenticator gateway = TestNodes.authenticator(Map.of("mode", "gateway", "gateway-token", gatewayToken), Clock.systemUTC());
    Map<String, String> admin = new HashMap<>(Map.of("X-User-Id", "ops", "X-User-Roles", "ADMIN"));

    assertEquals(Set.of(Role.ADMIN), authenticate(gateway, admin, gatewayToken).roles());
    assertNull(authenticate(gateway, admin, gatewayToken).userId());
    for (String wrong : new String[] {null, "", gatewayToken.substring(1), gatewayToken + "x",
        gatewayToken.substring(0, gatewayToken.length() - 1) + "Q", gatewayToken.toUpperCase()}) {
      CouponException refused = assertThrows(CouponException.class, () -> authenticate(gateway, admin, wrong));
      assertEquals(ErrorCode.UNAUTHORIZED, refused.code());
      assertFalse(refused.getMessage().contains(gatewayToken.substring(0, 12)), refused.getMessage());
    }
  }

  private static Caller authenticate(Authenticator authenticator, Map<String, String> headers, String gatewayToken) {
    Map<String, String> request = new HashMap<>(headers);
    if (gatewayToken != null) {
      request.put("X-Gateway-Token", gatewayToken);
    }
    return authenticator.authenticate(name -> Optional.ofNullable(request.get(name)));
  }

  private static String refusal(Map<String, String> auth) {
    return assertThrows(IllegalArgumentException.class, () -> TestNodes.authSettings(auth)).getMessage();
  }

  @Test
  void refusesToStartWithoutTheCredentialsItsModeNeeds() {
    assertEquals("COUPON_AUTH_MODE=gateway needs COUPON_AUTH_GATEWAY_TOKEN (at least 32 bytes)",
        refusal(Map.of("mode", "gateway")));
    assertEquals("COUPON_AUTH_GATEWAY_TOKEN must be at least 32 bytes, it has 31",
        refusal(Map.of("mode", "gateway", "gateway-token", "s".repeat(31))));
    assertEquals("COUPON_AUTH_MODE=jwt needs COUPON_AUTH_JWT_SECRET (at least 32 bytes) or COUPON_AUTH_JWKS_URL",
        refusal(Map.of()));
    assertEquals("COUPON_AUTH_JWT_SECRET must be at least 32 bytes, it has 5", refusal(Map.of("jwt-secret", "short")));
    assertEquals("COUPON_AUTH_MODE must be jwt or gateway, not none", refusal(Map.of("mode", "none")));
    assertEquals("COUPON_AUTH_JWKS_URL must be an http(s) URL, not file:///etc/keys.json",
        refusal(Map.of("jwks-url", "file:///etc/keys.json")));
    assertEquals("COUPON_AUTH_ROLES_CLAIM must be a claim name or a dotted path such as realm_access.roles, not realm..roles",
        refusal(Map.of("jwt-secret", SECRET, "roles-claim", "realm..roles")));
  }

  @Test
  void theGatewayModeIgnoresTheJwtSecretAndTheSettingsNeverPrintTheSecrets() {
    String gatewayToken = "another-gateway-token-0123456789abcdef";
    AuthSettings gateway = TestNodes.authSettings(Map.of("mode", "gateway", "gateway-token", gatewayToken,
        "jwt-secret", "REPLACE-ME"));
    assertEquals(AuthSettings.Mode.GATEWAY, gateway.mode());
    assertTrue(gateway.jwtSecret().isEmpty());
    assertFalse(gateway.toString().contains(gatewayToken), gateway.toString());

    AuthSettings jwt = TestNodes.authSettings(Map.of("jwt-secret", SECRET));
    assertFalse(jwt.toString().contains(SECRET), jwt.toString());
    assertTrue(jwt.toString().contains("jwtSecret=set"), jwt.toString());
  }
}
