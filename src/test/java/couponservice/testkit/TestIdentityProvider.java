package couponservice.testkit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A Keycloak-like identity provider for tests: an HTTP server on a free loopback port serving a JWKS at
 * {@code /realms/coupon/protocol/openid-connect/certs}, with an RSA and an EC key generated here, and a count of the
 * JWKS fetches. It signs tokens with its keys, or with any key a test makes.
 */
public final class TestIdentityProvider implements AutoCloseable {
  public static final String AUDIENCE = "coupon-service";
  private static final String JWKS_PATH = "/realms/coupon/protocol/openid-connect/certs";

  private final HttpServer server;
  private final AtomicReference<byte[]> served = new AtomicReference<>();
  private final AtomicInteger fetches = new AtomicInteger();
  private final RSAKey rsaKey = rsaKey("rsa-1");
  private final ECKey ecKey = ecKey("ec-1");

  private TestIdentityProvider() throws IOException {
    publish(rsaKey, ecKey);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(JWKS_PATH, exchange -> {
      fetches.incrementAndGet();
      byte[] body = served.get();
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  public static TestIdentityProvider start() {
    try {
      return new TestIdentityProvider();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the test identity provider", e);
    }
  }

  public static RSAKey rsaKey(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public static ECKey ecKey(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public RSAKey rsaKey() {
    return rsaKey;
  }

  public ECKey ecKey() {
    return ecKey;
  }

  /** Serves the public parts of {@code keys} from now on, in place of what was served before. */
  public void publish(JWK... keys) {
    served.set(new JWKSet(List.of(keys)).toString(true).getBytes(StandardCharsets.UTF_8));
  }

  /** Serves {@code body} as the JWKS document from now on, whatever it holds. */
  public void serve(String body) {
    served.set(body.getBytes(StandardCharsets.UTF_8));
  }

  public String jwksUrl() {
    return realmUrl() + "/protocol/openid-connect/certs";
  }

  /** The realm URL, which is also the {@code iss} of the realm's tokens. */
  public String realmUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/coupon";
  }

  public int fetches() {
    return fetches.get();
  }

  /** Claims as the realm issues them: its issuer, this service as audience, valid for an hour from {@code now}. */
  public JWTClaimsSet.Builder claims(String subject, Instant now) {
    return new JWTClaimsSet.Builder()
        .subject(subject)
        .issuer(realmUrl())
        .audience(AUDIENCE)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(Duration.ofHours(1))));
  }

  /** {@code claims} signed with {@code key}: RS256 for an RSA key, ES256 for an EC key, its kid in the header. */
  public static String sign(JWK key, JWTClaimsSet claims) {
    return sign(key, key instanceof RSAKey ? JWSAlgorithm.RS256 : JWSAlgorithm.ES256, claims);
  }

  public static String sign(JWK key, JWSAlgorithm algorithm, JWTClaimsSet claims) {
    try {
      JWSSigner signer = key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECKey) key);
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(key.getKeyID()).type(JOSEObjectType.JWT)
          .build(), claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
