package couponservice.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Verifies HS256 tokens signed with COUPON_AUTH_JWT_SECRET; every other algorithm is refused. */
public final class JwtVerifier {
  public static final int MIN_SECRET_BYTES = 32;

  private final MACVerifier verifier;
  private final Clock clock;

  public JwtVerifier(String secret, Clock clock) {
    this.verifier = macVerifier(secret);
    this.clock = clock;
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
    JWTClaimsSet claims;
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
        throw Authenticator.unauthorized("the token is not a valid HS256 token");
      }
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException | JOSEException | IllegalStateException e) {
      throw Authenticator.unauthorized("the token cannot be read");
    }
    Date expiry = claims.getExpirationTime();
    if (expiry == null || !expiry.toInstant().isAfter(clock.instant())) {
      throw Authenticator.unauthorized(expiry == null ? "the token has no exp claim" : "the token has expired");
    }
    String subject = claims.getSubject();
    if (subject == null || subject.isBlank()) {
      throw Authenticator.unauthorized("the token has no sub claim");
    }
    return Authenticator.caller(subject, roles(claims));
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
