package couponservice.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.proc.SingleKeyJWSKeySelector;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import couponservice.CouponException;
import couponservice.ErrorCode;
import couponservice.StartupException;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies Bearer tokens with nimbus's JWT processor: HS256 against COUPON_AUTH_JWT_SECRET when it is set, RS256
 * and ES256 against the identity provider's JWKS when COUPON_AUTH_JWKS_URL is set; every other algorithm, and
 * unsigned tokens, find no key. Then the claims: {@code sub} and {@code exp} required, {@code iss} / {@code aud}
 * when configured, 60 s of clock skew on {@code exp} / {@code nbf}, judged by the node's clock.
 *
 * <p>Clients send the same token with many requests, so verified tokens are remembered (by their whole text,
 * signature included, until their {@code exp}); parsing and the signature are a large share of a request's CPU.
 * The memory is bounded: when full it is emptied and refills with live tokens.
 */
public final class JwtVerifier {
  private static final int CLOCK_SKEW_SECONDS = 60;
  /** RFC 9068 access tokens, as some identity providers type them. */
  private static final JOSEObjectType ACCESS_TOKEN = new JOSEObjectType("at+jwt");
  private static final Set<JWSAlgorithm> IDENTITY_PROVIDER_ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);

  private record Verified(Caller caller, Instant expiresAt) {}

  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
  private final List<String> rolesClaimPath;
  private final Clock clock;
  private final int cacheSize;
  private final ConcurrentHashMap<String, Verified> verified = new ConcurrentHashMap<>();

  private JwtVerifier(List<JWSKeySelector<SecurityContext>> keys, AuthSettings settings, Clock clock) {
    processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, ACCESS_TOKEN, null));
    processor.setJWSKeySelector((header, context) -> {
      List<Key> candidates = new ArrayList<>();
      for (JWSKeySelector<SecurityContext> selector : keys) {
        candidates.addAll(selector.selectJWSKeys(header, context));
      }
      return candidates;
    });
    processor.setJWTClaimsSetVerifier(claimsVerifier(settings, clock));
    this.rolesClaimPath = settings.rolesClaimPath();
    this.clock = clock;
    this.cacheSize = settings.verifiedTokenCacheSize();
  }

  /** The verifier {@code settings} describe; with a JWKS URL, its keys are fetched now. */
  public static JwtVerifier start(AuthSettings settings, Clock clock) throws StartupException {
    List<JWSKeySelector<SecurityContext>> keys = new ArrayList<>();
    // Each algorithm is bound to its own keys: HS256 is never checked against a public key of the JWKS.
    // The secret is one key, whatever kid a token names.
    settings.jwtSecret().ifPresent(secret -> keys.add(new SingleKeyJWSKeySelector<>(JWSAlgorithm.HS256,
        new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"))));
    if (settings.jwksUrl().isPresent()) {
      keys.add(new JWSVerificationKeySelector<>(IDENTITY_PROVIDER_ALGORITHMS,
          IdentityProviderKeys.fetch(settings.jwksUrl().get())));
    }
    return new JwtVerifier(keys, settings, clock);
  }

  private static DefaultJWTClaimsVerifier<SecurityContext> claimsVerifier(AuthSettings settings, Clock clock) {
    JWTClaimsSet.Builder exactMatch = new JWTClaimsSet.Builder();
    settings.issuer().ifPresent(exactMatch::issuer);
    DefaultJWTClaimsVerifier<SecurityContext> verifier = new DefaultJWTClaimsVerifier<>(
        settings.audience().map(Set::of).orElse(null), exactMatch.build(), Set.of("sub", "exp"), null) {
      @Override
      protected Date currentTime() {
        return Date.from(clock.instant());
      }
    };
    verifier.setMaxClockSkew(CLOCK_SKEW_SECONDS);
    return verifier;
  }

  public Caller verify(String token) {
    Instant now = clock.instant();
    Verified known = verified.get(token);
    if (known != null) {
      if (known.expiresAt().isAfter(now)) {
        return known.caller();
      }
      verified.remove(token);
    }
    JWTClaimsSet claims = verifiedClaims(token);
    String subject = claims.getSubject();
    if (subject == null || subject.isBlank()) {
      throw Authenticator.unauthorized("the token has no sub claim");
    }
    Caller caller = Authenticator.caller(subject, roles(claims));
    Instant expiresAt = claims.getExpirationTime().toInstant();
    // A token inside the clock skew past its exp is accepted, but not remembered: it is checked again next time.
    if (cacheSize > 0 && expiresAt.isAfter(now)) {
      if (verified.size() >= cacheSize) {
        verified.clear();
      }
      verified.put(token, new Verified(caller, expiresAt));
    }
    return caller;
  }

  /** The claims of a token whose signature and claims passed; the messages never quote the token. */
  private JWTClaimsSet verifiedClaims(String token) {
    try {
      return processor.process(token, null);
    } catch (ParseException e) {
      throw Authenticator.unauthorized("the token cannot be read");
    } catch (ExpiredJWTException e) {
      throw Authenticator.unauthorized("the token has expired");
    } catch (BadJWTException e) {
      throw Authenticator.unauthorized("the token's claims are not accepted (sub, exp, nbf, iss and aud are checked)");
    } catch (BadJOSEException | RateLimitReachedException e) {
      // RateLimitReached: the token names a key the JWKS did not hold at its last fetch.
      throw Authenticator.unauthorized("the token is not signed by an accepted key and algorithm");
    } catch (KeySourceException e) {
      throw new CouponException(ErrorCode.SERVICE_UNAVAILABLE, "the identity provider's keys cannot be fetched");
    } catch (JOSEException e) {
      throw Authenticator.unauthorized("the token cannot be verified");
    }
  }

  /**
   * The service's roles found at the roles claim path. Names of other roles are left out: an identity provider's
   * tokens also carry the roles of other applications ({@code offline_access} and the like).
   */
  private Set<Role> roles(JWTClaimsSet claims) {
    Object value = claims.getClaims();
    for (String name : rolesClaimPath) {
      value = value instanceof Map<?, ?> object ? object.get(name) : null;
    }
    Set<Role> roles = EnumSet.noneOf(Role.class);
    if (value instanceof List<?> names) {
      for (Role role : Role.values()) {
        if (names.contains(role.name())) {
          roles.add(role);
        }
      }
    } else if (value != null) {
      throw Authenticator.unauthorized("the roles claim must be an array of strings");
    }
    return roles;
  }
}
