package couponservice.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;

/** Signs HS256 tokens: the dev profile's printed ADMIN token, the benchmarks' and tests' tokens. */
public final class TokenMinter {
  private final MACSigner signer;

  public TokenMinter(String secret) {
    try {
      this.signer = new MACSigner(secret.getBytes(StandardCharsets.UTF_8));
    } catch (JOSEException e) {
      throw new IllegalArgumentException("the secret must be at least " + AuthSettings.MIN_SECRET_BYTES + " bytes", e);
    }
  }

  public String mint(String subject, Collection<Role> roles, Duration validFor) {
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .subject(subject)
        .claim("roles", roles.stream().map(Role::name).toList())
        .issueTime(new Date())
        .expirationTime(Date.from(Instant.now().plus(validFor)))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("signing failed", e);
    }
    return jwt.serialize();
  }
}
