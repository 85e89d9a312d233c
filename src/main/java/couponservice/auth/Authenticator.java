package couponservice.auth;

import couponservice.CouponException;
import couponservice.ErrorCode;
import couponservice.StartupException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Establishes the caller of a request: from a Bearer JWT ({@code jwt} mode) or from the headers a
 * trusted gateway sets ({@code gateway} mode, with the gateway's own token). Headers are looked up through
 * {@code header}.
 */
public interface Authenticator {

  Caller authenticate(Function<String, Optional<String>> header);

  /** The authenticator {@code settings} describe; with a JWKS URL, its keys are fetched now. */
  static Authenticator start(AuthSettings settings, Clock clock) throws StartupException {
    return switch (settings.mode()) {
      case JWT -> bearer(JwtVerifier.start(settings, clock));
      case GATEWAY -> gateway(settings.gatewayToken().orElseThrow());
    };
  }

  private static Authenticator bearer(JwtVerifier jwt) {
    return header -> jwt.verify(header.apply("Authorization")
        .filter(value -> value.regionMatches(true, 0, "Bearer ", 0, 7))
        .map(value -> value.substring(7).trim())
        .orElseThrow(() -> unauthorized("a Bearer token is required")));
  }

  /**
   * Trusts the caller the gateway names, but only on requests that carry the gateway's token: whoever reaches the
   * port directly cannot claim a role. Compared in constant time, so its bytes cannot be guessed one by one.
   */
  private static Authenticator gateway(String gatewayToken) {
    byte[] expected = gatewayToken.getBytes(StandardCharsets.UTF_8);
    return header -> {
      byte[] presented = header.apply("X-Gateway-Token").orElse("").getBytes(StandardCharsets.UTF_8);
      if (!MessageDigest.isEqual(presented, expected)) {
        throw unauthorized("the X-Gateway-Token header is missing or wrong");
      }
      return fromGatewayHeaders(header);
    };
  }

  private static Caller fromGatewayHeaders(Function<String, Optional<String>> header) {
    String subject = header.apply("X-User-Id").map(String::trim)
        .orElseThrow(() -> unauthorized("the X-User-Id header is required"));
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String role : header.apply("X-User-Roles").orElse("USER").split(",")) {
      roles.add(parseRole(role.trim()));
    }
    return caller(subject, roles);
  }

  static Role parseRole(String role) {
    try {
      return Role.valueOf(role);
    } catch (IllegalArgumentException e) {
      throw unauthorized("unknown role " + role);
    }
  }

  /** A USER caller's subject must be its user id. */
  static Caller caller(String subject, Set<Role> roles) {
    if (roles.isEmpty()) {
      throw unauthorized("the caller has no role");
    }
    Long userId = null;
    if (roles.contains(Role.USER)) {
      try {
        userId = Long.parseLong(subject);
      } catch (NumberFormatException e) {
        throw unauthorized("the subject of a USER must be a user id");
      }
      if (userId <= 0) {
        throw unauthorized("the subject of a USER must be a positive user id");
      }
    }
    return new Caller(subject, Set.copyOf(roles), userId);
  }

  static CouponException unauthorized(String message) {
    return new CouponException(ErrorCode.UNAUTHORIZED, message);
  }
}
