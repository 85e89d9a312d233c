package couponservice.auth;

import com.typesafe.config.Config;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How callers are authenticated ({@code coupon.auth} in coupon.conf). Checked here, before anything starts, so
 * that a misconfiguration is one line; the messages name the variables and lengths, never the values.
 */
public record AuthSettings(
    Mode mode,
    Optional<String> jwtSecret,
    Optional<URL> jwksUrl,
    Optional<String> issuer,
    Optional<String> audience,
    List<String> rolesClaimPath,
    Optional<String> gatewayToken,
    int verifiedTokenCacheSize) {

  public static final int MIN_SECRET_BYTES = 32;

  public enum Mode { JWT, GATEWAY }

  public static AuthSettings fromConfig(Config config) {
    Config c = config.getConfig("coupon.auth");
    Mode mode = mode(c.getString("mode"));
    // Each mode reads only its own credentials: a gateway needs no JWT secret, a jwt node no gateway token.
    Optional<String> secret = Optional.empty();
    Optional<URL> jwksUrl = Optional.empty();
    Optional<String> gatewayToken = Optional.empty();
    if (mode == Mode.JWT) {
      secret = nonEmpty(c.getString("jwt-secret"));
      secret.ifPresent(value -> requireLength("COUPON_AUTH_JWT_SECRET", value));
      jwksUrl = nonEmpty(c.getString("jwks-url")).map(AuthSettings::jwksUrl);
      if (secret.isEmpty() && jwksUrl.isEmpty()) {
        throw new IllegalArgumentException("COUPON_AUTH_MODE=jwt needs COUPON_AUTH_JWT_SECRET (at least "
            + MIN_SECRET_BYTES + " bytes) or COUPON_AUTH_JWKS_URL");
      }
    } else {
      gatewayToken = nonEmpty(c.getString("gateway-token"));
      requireLength("COUPON_AUTH_GATEWAY_TOKEN", gatewayToken.orElseThrow(() -> new IllegalArgumentException(
          "COUPON_AUTH_MODE=gateway needs COUPON_AUTH_GATEWAY_TOKEN (at least " + MIN_SECRET_BYTES + " bytes)")));
    }
    return new AuthSettings(mode, secret, jwksUrl, nonEmpty(c.getString("issuer")), nonEmpty(c.getString("audience")),
        rolesClaimPath(c.getString("roles-claim")), gatewayToken, c.getInt("verified-token-cache-size"));
  }

  /** Without the secret and the gateway token: a record's own toString would print them. */
  @Override
  public String toString() {
    return "AuthSettings[mode=" + mode + ", jwtSecret=" + (jwtSecret.isPresent() ? "set" : "unset") + ", jwksUrl="
        + jwksUrl.map(URL::toString).orElse("unset") + ", issuer=" + issuer.orElse("unset") + ", audience="
        + audience.orElse("unset") + ", rolesClaim=" + String.join(".", rolesClaimPath) + ", gatewayToken="
        + (gatewayToken.isPresent() ? "set" : "unset") + "]";
  }

  private static Mode mode(String value) {
    return switch (value) {
      case "jwt", "gateway" -> Mode.valueOf(value.toUpperCase(Locale.ROOT));
      default -> throw new IllegalArgumentException("COUPON_AUTH_MODE must be jwt or gateway, not " + value);
    };
  }

  private static Optional<String> nonEmpty(String value) {
    return value.isBlank() ? Optional.empty() : Optional.of(value);
  }

  /** A secret's length is checked in UTF-8 bytes: that is the HMAC key, and what the gateway sends. */
  private static void requireLength(String variable, String value) {
    int length = value.getBytes(StandardCharsets.UTF_8).length;
    if (length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(variable + " must be at least " + MIN_SECRET_BYTES + " bytes, it has " + length);
    }
  }

  private static URL jwksUrl(String value) {
    try {
      URI uri = new URI(value.trim());
      if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException("COUPON_AUTH_JWKS_URL must be an http(s) URL, not " + value);
      }
      return uri.toURL();
    } catch (URISyntaxException | MalformedURLException e) {
      throw new IllegalArgumentException("COUPON_AUTH_JWKS_URL must be an http(s) URL, not " + value, e);
    }
  }

  /** {@code realm_access.roles} is the claim {@code roles} inside the object claim {@code realm_access}. */
  private static List<String> rolesClaimPath(String value) {
    List<String> path = List.of(value.trim().split("\\.", -1));
    if (path.stream().anyMatch(String::isEmpty)) {
      throw new IllegalArgumentException("COUPON_AUTH_ROLES_CLAIM must be a claim name or a dotted path such as "
          + "realm_access.roles, not " + value);
    }
    return path;
  }
}
