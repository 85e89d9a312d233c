package couponservice.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies HS256 tokens signed with COUPON_AUTH_JWT_SECRET; every other algorithm is refused.
 *
 * <p>Clients send the same token with many requests, so verified tokens are remembered (by their
 * whole text, signature included, until their {@code exp}); parsing and the HMAC are a large share
 * of a request's CPU. The memory is bounded: when full it is emptied and refills with live tokens.
 */
public final class JwtVerifier {
  public static final int MIN_SECRET_BYTES = 32;

  private record Verified(Caller caller, Instant expiresAt) {}

  private final MACVerifier verifier;
  private final Clock clock;
  private final int cacheSize;
  private final ConcurrentHashMap<String, Verified> verified = new ConcurrentHashMap<>();

  public JwtVerifier(String secret, Clock clock, int cacheSize) {
    this.verifier = macVerifier(secret);
    this.clock = clock;
    this.cacheSize = cacheSize;
  }

  static MACVerifier macVerifier(String secret) {
    byte[] key = secret.getBytes(StandardCharsets.UTF_8);
    if (key.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "COUPON_AUTH_JWT_SECRET must be at least " + MIN_SECRET_BYTES + " bytes, it has " + key.length);
    }
    try {
      return new MACVerifier(key);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("COUPON_AUTH_JWT_SECRET is not usable as an HS256 key", e);
    }
  }

  public Caller verify(String token) {
    Instant now = clock.instant();
    Verified known = verified.get(token);
    if (known != null && known.expiresAt().isAfter(now)) {
      return known.caller();
    }
    JWTClaimsSet claims = verifiedClaims(token);
    Date expiry = claims.getExpirationTime();
    if (expiry == null || !expiry.toInstant().isAfter(now)) {
      verified.remove(token);
      throw Authenticator.unauthorized(expiry == null ? "the token has no exp claim" : "the token has expired");
    }
    String subject = claims.getSubject();
    if (subject == null || subject.isBlank()) {
      throw Authenticator.unauthorized("the token has no sub claim");
    }
    Caller caller = Authenticator.caller(subject, roles(claims));
    if (cacheSize > 0) {
      if (verified.size() >= cacheSize) {
        verified.clear();
      }
      verified.put(token, new Verified(caller, expiry.toInstant()));
    }
    return caller;
  }

  private JWTClaimsSet verifiedClaims(String token) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
        throw Authenticator.unauthorized("the token is not a valid HS256 token");
      }
      return jwt.getJWTClaimsSet();
    } catch (ParseException | JOSEException | IllegalStateException e) {
      throw Authenticator.unauthorized("the token cannot be read");
    }
  }

  private static Set<Role> roles(JWTClaimsSet claims) {
    List<String> names;
    try {
      names = claims.getStringListClaim("roles");
    } catch (ParseException e) {
      throw Authenticator.unauthorized("the roles claim must be an array of strings");
    }
    Set<Role> roles = EnumSet.noneOf(Role.class);
    if (names != null) {
      names.forEach(name -> roles.add(Authenticator.parseRole(name)));
    }
    return roles;
  }
}
