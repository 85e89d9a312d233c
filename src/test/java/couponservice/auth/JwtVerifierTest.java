package couponservice.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import couponservice.CouponException;
import couponservice.ErrorCode;
import couponservice.StartupException;
import couponservice.testkit.TestClock;
import couponservice.testkit.TestIdentityProvider;
import couponservice.testkit.TestNodes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Tokens of an identity provider (RS256/ES256 over its JWKS) and of the shared secret, verified without a node. */
class JwtVerifierTest {
  private static final String SECRET = "jwt-verifier-test-secret-0123456789abcdef";
  private static TestIdentityProvider idp;

  private final TestClock clock = new TestClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));

  @BeforeAll
  static void startIdentityProvider() {
    idp = TestIdentityProvider.start();
  }

  @AfterAll
  static void stopIdentityProvider() {
    idp.close();
  }

  private static Map<String, Object> identityProviderSettings(TestIdentityProvider provider) {
    return new HashMap<>(Map.of("jwks-url", provider.jwksUrl(), "issuer", provider.realmUrl(),
        "audience", TestIdentityProvider.AUDIENCE));
  }

  private JwtVerifier verifier(Map<String, Object> auth) throws StartupException {
    return JwtVerifier.start(TestNodes.authSettings(auth), clock);
  }

  private JwtVerifier verifier() throws StartupException {
    return verifier(identityProviderSettings(idp));
  }

  private JWTClaimsSet.Builder claims(String subject, Role... roles) {
    return idp.claims(subject, clock.instant()).claim("roles", Stream.of(roles).map(Role::name).toList());
  }

  /** Refused with 401, and the message does not quote the token. */
  private static void assertUnauthorized(JwtVerifier verifier, String token) {
    CouponException refused = assertThrows(CouponException.class, () -> verifier.verify(token));
    assertEquals(ErrorCode.UNAUTHORIZED, refused.code(), refused.getMessage());
    for (String part : token.split("\\.")) {
      assertFalse(part.length() > 8 && refused.getMessage().contains(part), refused.getMessage());
    }
  }

  static Stream<Arguments> keysAndRoles() {
    return Stream.of("RS256", "ES256").flatMap(algorithm -> Stream.of(Role.values())
        .map(role -> Arguments.of(algorithm, role)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("keysAndRoles")
  void acceptsTheIdentityProvidersTokensOfEveryRole(String algorithm, Role role) throws Exception {
    JWK key = algorithm.equals("RS256") ? idp.rsaKey() : idp.ecKey();
    String subject = role == Role.USER ? "4242" : "checkout";

    Caller caller = verifier().verify(TestIdentityProvider.sign(key, claims(subject, role).build()));

    assertEquals(subject, caller.subject());
    assertEquals(Set.of(role), caller.roles());
    assertEquals(role == Role.USER ? Long.valueOf(4242) : null, caller.userId());
  }

  @Test
  void aRotatedKeyIsFetchedOnceAndUnknownKidsDoNotRefetchWithinTheMinute() throws Exception {
    try (TestIdentityProvider rotating = TestIdentityProvider.start()) {
      JwtVerifier verifier = verifier(identityProviderSettings(rotating));
      assertEquals(1, rotating.fetches(), "fetched at startup");
      JWTClaimsSet claims = rotating.claims("7", clock.instant()).claim("roles", List.of("USER")).build();
      verifier.verify(TestIdentityProvider.sign(rotating.rsaKey(), claims));
      assertEquals(1, rotating.fetches(), "a known kid is served from the cache");

      RSAKey rotated = TestIdentityProvider.rsaKey("rsa-2");
      rotating.publish(rotated, rotating.ecKey());
      assertEquals(7L, verifier.verify(TestIdentityProvider.sign(rotated, claims)).userId());
      assertEquals(2, rotating.fetches(), "the new kid made one refetch");

      assertUnauthorized(verifier, TestIdentityProvider.sign(TestIdentityProvider.rsaKey("rsa-3"), claims));
      assertUnauthorized(verifier, TestIdentityProvider.sign(TestIdentityProvider.ecKey("ec-9"), claims));
      assertEquals(2, rotating.fetches(), "unknown kids within the minute fetch nothing");
      JWTClaimsSet another = rotating.claims("8", clock.instant()).claim("roles", List.of("USER")).build();
      assertUnauthorized(verifier, TestIdentityProvider.sign(rotating.rsaKey(), another));
      assertEquals(2, rotating.fetches(), "the retired key is not fetched back");
    }
  }

  @Test
  void refusesAKidTheJwksDoesNotHold() throws Exception {
    JwtVerifier verifier = verifier();
    assertUnauthorized(verifier, TestIdentityProvider.sign(TestIdentityProvider.rsaKey("rsa-1"), claims("1", Role.ADMIN)
        .build()));
    assertUnauthorized(verifier, TestIdentityProvider.sign(TestIdentityProvider.ecKey("not-published"),
        claims("1", Role.ADMIN).build()));
  }

  @Test
  void checksIssuerAndAudienceWhenConfigured() throws Exception {
    JwtVerifier verifier = verifier();
    assertUnauthorized(verifier, TestIdentityProvider.sign(idp.rsaKey(), claims("1", Role.ADMIN)
        .issuer("http://127.0.0.1:1/realms/other").build()));
    assertUnauthorized(verifier, TestIdentityProvider.sign(idp.rsaKey(), claims("1", Role.ADMIN).issuer(null).build()));
    assertUnauthorized(verifier, TestIdentityProvider.sign(idp.rsaKey(), claims("1", Role.ADMIN)
        .audience("another-service").build()));
    assertUnauthorized(verifier, TestIdentityProvider.sign(idp.ecKey(), claims("1", Role.ADMIN).audience((String) null)
        .build()));
    assertEquals(Set.of(Role.ADMIN), verifier.verify(TestIdentityProvider.sign(idp.rsaKey(), claims("1", Role.ADMIN)
        .audience(List.of("account", TestIdentityProvider.AUDIENCE)).build())).roles());

    Map<String, Object> unchecked = identityProviderSettings(idp);
    unchecked.remove("issuer");
    unchecked.remove("audience");
    assertEquals(Set.of(Role.ADMIN), verifier(unchecked).verify(TestIdentityProvider.sign(idp.rsaKey(),
        claims("1", Role.ADMIN).issuer("anyone").audience((String) null).build())).roles());
  }

  private static String base64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String hs256(byte[] key, String kid, JWTClaimsSet claims) throws JOSEException {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(kid).build(), claims);
    jwt.sign(new MACSigner(key));
    return jwt.serialize();
  }

  @Test
  void refusesUnsignedTokensOtherAlgorithmsAndHs256UnderThePublicKey() throws Exception {
    JWTClaimsSet admin = claims("1", Role.ADMIN).build();
    RSAKey rsa = idp.rsaKey();
    byte[] publicKeyDer = rsa.toRSAPublicKey().getEncoded();
    byte[] publicKeyPem = ("-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(publicKeyDer)
        + "\n-----END PUBLIC KEY-----\n").getBytes(StandardCharsets.US_ASCII);
    String payload = admin.toPayload().toBase64URL().toString();
    String[] otherPayload = TestIdentityProvider.sign(idp.ecKey(), claims("2", Role.USER).build()).split("\\.");
    List<String> forged = List.of(
        new PlainJWT(admin).serialize(),
        base64("{\"alg\":\"none\",\"kid\":\"rsa-1\"}") + "." + payload + ".",
        base64("{\"alg\":\"none\",\"kid\":\"rsa-1\"}") + "." + payload + "."
            + TestIdentityProvider.sign(rsa, admin).split("\\.")[2],
        hs256(publicKeyDer, "rsa-1", admin),
        hs256(publicKeyPem, "rsa-1", admin),
        hs256(rsa.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8), "rsa-1", admin),
        TestIdentityProvider.sign(rsa, JWSAlgorithm.RS384, admin),
        TestIdentityProvider.sign(rsa, JWSAlgorithm.PS256, admin),
        otherPayload[0] + "." + payload + "." + otherPayload[2],
        "not-a-token",
        "a.b.c",
        "");
    Map<String, Object> withSecret = identityProviderSettings(idp);
    withSecret.put("jwt-secret", SECRET);
    JwtVerifier jwksOnly = verifier();
    JwtVerifier jwksAndSecret = verifier(withSecret);
    for (String token : forged) {
      assertUnauthorized(jwksOnly, token);
      assertUnauthorized(jwksAndSecret, token);
    }
    String underTheSecret = hs256(SECRET.getBytes(StandardCharsets.UTF_8), null, admin);
    assertUnauthorized(jwksOnly, underTheSecret);
    assertEquals(Set.of(Role.ADMIN), jwksAndSecret.verify(underTheSecret).roles(),
        "HS256 under the configured secret is accepted beside the JWKS");
  }

  /** Payloads with ISS, AUD and EXP standing for the realm's issuer, this service and an hour from now. */
  static Stream<String> oddPayloads() {
    String registered = "\"iss\":ISS,\"aud\":AUD,\"exp\":EXP";
    return Stream.of(
        "{\"sub\":null,\"roles\":[\"ADMIN\"]," + registered + "}",
        "{\"sub\":\" \",\"roles\":[\"ADMIN\"]," + registered + "}",
        "{\"sub\":{\"id\":1},\"roles\":[\"ADMIN\"]," + registered + "}",
        "{\"sub\":\"1\",\"roles\":\"ADMIN\"," + registered + "}",
        "{\"sub\":\"1\",\"roles\":[1,null,{\"ADMIN\":true}]," + registered + "}",
        "{\"sub\":\"1\",\"roles\":[\"ADMIN\"],\"iss\":ISS,\"aud\":AUD,\"exp\":\"tomorrow\"}",
        "{\"sub\":\"1\",\"roles\":[\"ADMIN\"],\"iss\":ISS,\"aud\":42,\"exp\":EXP}",
        "[\"ADMIN\"]",
        "not json at all");
  }

  /** Signed by the provider's own key, so that only the claims can be at fault. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("oddPayloads")
  void oddClaimsAreUnauthorized(String payload) throws Exception {
    String json = payload.replace("ISS", "\"" + idp.realmUrl() + "\"")
        .replace("AUD", "\"" + TestIdentityProvider.AUDIENCE + "\"")
        .replace("EXP", Long.toString(clock.instant().plusSeconds(3600).getEpochSecond()));
    JWSObject signed = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(idp.rsaKey().getKeyID()).build(),
        new Payload(json));
    signed.sign(new RSASSASigner(idp.rsaKey()));
    assertUnauthorized(verifier(), signed.serialize());
  }

  @Test
  void acceptsTheTokenTypesOfAccessTokensOnly() throws Exception {
    JwtVerifier verifier = verifier();
    JWTClaimsSet claims = claims("1", Role.ADMIN).build();
    for (String type : new String[] {null, "JWT", "at+jwt"}) {
      assertEquals(Set.of(Role.ADMIN), verifier.verify(typed(type, claims)).roles(), "typ " + type);
    }
    assertUnauthorized(verifier, typed("logout+jwt", claims));
  }

  private static String typed(String type, JWTClaimsSet claims) throws JOSEException {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(idp.rsaKey().getKeyID())
        .type(type == null ? null : new JOSEObjectType(type)).build(), claims);
    jwt.sign(new RSASSASigner(idp.rsaKey()));
    return jwt.serialize();
  }

  @Test
  void toleratesSixtySecondsOfClockSkewOnExpAndNbf() throws Exception {
    JwtVerifier verifier = verifier();
    Instant now = clock.instant();
    assertUnauthorized(verifier, TestIdentityProvider.sign(idp.rsaKey(), claims("1", Role.ADMIN)
        .expirationTime(Date.from(now.minusSeconds(90))).build()));
    assertEquals("1", verifier.verify(TestIdentityProvider.sign(idp.rsaKey(), claims("1", Role.ADMIN)
        .expirationTime(Date.from(now.minusSeconds(30))).build())).subject());
    assertUnauthorized(verifier, TestIdentityProvider.sign(idp.ecKey(), claims("1", Role.ADMIN)
        .notBeforeTime(Date.from(now.plusSeconds(90))).build()));
    assertEquals("1", verifier.verify(TestIdentityProvider.sign(idp.ecKey(), claims("1", Role.ADMIN)
        .notBeforeTime(Date.from(now.plusSeconds(30))).build())).subject());
  }

  @Test
  void refusesTokensWithoutExpOrSub() throws Exception {
    JwtVerifier verifier = verifier();
    assertUnauthorized(verifier, TestIdentityProvider.sign(idp.rsaKey(), claims("1", Role.ADMIN).expirationTime(null)
        .build()));
    assertUnauthorized(verifier, TestIdentityProvider.sign(idp.rsaKey(), claims("1", Role.ADMIN).subject(null).build()));
    assertUnauthorized(verifier, TestIdentityProvider.sign(idp.rsaKey(), claims("alice", Role.USER).build()));
  }

  @Test
  void aRememberedTokenStillExpiresAtItsExp() throws Exception {
    JwtVerifier verifier = verifier();
    String token = TestIdentityProvider.sign(idp.rsaKey(), claims("1", Role.SERVICE)
        .expirationTime(Date.from(clock.instant().plus(Duration.ofMinutes(10)))).build());
    assertEquals(Set.of(Role.SERVICE), verifier.verify(token).roles());

    clock.advance(Duration.ofMinutes(10).plusSeconds(30));
    assertEquals(Set.of(Role.SERVICE), verifier.verify(token).roles(), "within the skew, checked again");
    clock.advance(Duration.ofSeconds(31));
    assertUnauthorized(verifier, token);
  }

  @Test
  void readsRolesAtANestedClaimPathAndIgnoresOtherApplicationsRoles() throws Exception {
    Map<String, Object> keycloak = identityProviderSettings(idp);
    keycloak.put("roles-claim", "realm_access.roles");
    JwtVerifier verifier = verifier(keycloak);
    JWTClaimsSet nested = idp.claims("9", clock.instant())
        .claim("realm_access", Map.of("roles", List.of("offline_access", "USER", "uma_authorization",
            "default-roles-coupon")))
        .build();
    Caller caller = verifier.verify(TestIdentityProvider.sign(idp.rsaKey(), nested));
    assertEquals(Set.of(Role.USER), caller.roles());
    assertEquals(9L, caller.userId());

    assertUnauthorized(verifier, TestIdentityProvider.sign(idp.rsaKey(), claims("9", Role.ADMIN).build()));
    assertUnauthorized(verifier, TestIdentityProvider.sign(idp.rsaKey(), idp.claims("9", clock.instant())
        .claim("realm_access", Map.of("roles", List.of("offline_access"))).build()));
    assertUnauthorized(verifier, TestIdentityProvider.sign(idp.rsaKey(), idp.claims("9", clock.instant())
        .claim("realm_access", Map.of("roles", "ADMIN")).build()));
  }

  @Test
  void hs256IsTheOnlyAlgorithmWithoutAJwks() throws Exception {
    JwtVerifier secretOnly = verifier(Map.of("jwt-secret", SECRET));
    JWTClaimsSet claims = claims("5", Role.USER).build();
    assertEquals(5L, secretOnly.verify(hs256(SECRET.getBytes(StandardCharsets.UTF_8), null, claims)).userId());
    assertEquals(5L, secretOnly.verify(hs256(SECRET.getBytes(StandardCharsets.UTF_8), "any-kid", claims)).userId());
    assertUnauthorized(secretOnly, TestIdentityProvider.sign(idp.rsaKey(), claims));
    assertUnauthorized(secretOnly, TestIdentityProvider.sign(idp.ecKey(), claims));
  }

  @Test
  void anUnreachableJwksStopsStartupWithOneLine() {
    int closedPort = TestNodes.freePort();
    String url = "http://127.0.0.1:" + closedPort + "/realms/coupon/protocol/openid-connect/certs";
    StartupException refused = assertThrows(StartupException.class, () -> verifier(Map.of("jwks-url", url)));
    assertEquals("cannot fetch the JWKS at " + url + ": Connection refused", refused.getMessage());
  }

  @Test
  void aJwksWithoutSigningKeysStopsStartup() {
    try (TestIdentityProvider broken = TestIdentityProvider.start()) {
      broken.serve("<html><body>Welcome</body></html>");
      StartupException notJson = assertThrows(StartupException.class, () -> verifier(Map.of("jwks-url",
          broken.jwksUrl())));
      assertTrue(notJson.getMessage().startsWith("cannot fetch the JWKS at " + broken.jwksUrl() + ": "),
          notJson.getMessage());
      assertFalse(notJson.getMessage().contains("\n"), notJson.getMessage());

      broken.serve("{\"keys\":[]}");
      StartupException empty = assertThrows(StartupException.class, () -> verifier(Map.of("jwks-url",
          broken.jwksUrl())));
      assertEquals("the JWKS at " + broken.jwksUrl() + " holds no RSA or EC signing key", empty.getMessage());
    }
  }
}
