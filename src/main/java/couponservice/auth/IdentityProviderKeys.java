package couponservice.auth;

import couponservice.RootCause;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import couponservice.StartupException;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The identity provider's signing keys, served at its JWKS URL. Fetched once at startup (an unreachable or empty
 * JWKS stops startup), then nimbus's JWK source caches them, refreshes them in the background before the cache
 * expires, and refetches when a token names a key it does not hold, rate-limited so that tokens with made-up
 * {@code kid}s cannot hammer the provider. During an outage it keeps using the keys it last fetched.
 */
final class IdentityProviderKeys {
  /** The rate limit's window; nimbus allows two fetches in one, so that a refresh always leaves one for a new key. */
  private static final Duration REFETCH_WINDOW = Duration.ofMinutes(1);
  private static final JWKMatcher SIGNING_KEYS = new JWKMatcher.Builder()
      .keyTypes(KeyType.RSA, KeyType.EC)
      .keyUses(KeyUse.SIGNATURE, null)
      .build();

  private IdentityProviderKeys() {}

  static JWKSource<SecurityContext> fetch(URL jwksUrl) throws StartupException {
    JWKSource<SecurityContext> source = JWKSourceBuilder.<SecurityContext>create(jwksUrl)
        .retrying(true)
        .rateLimited(REFETCH_WINDOW.toMillis())
        .refreshAheadCache(JWKSourceBuilder.DEFAULT_REFRESH_AHEAD_TIME, null, refresher(), true, null, false)
        .outageTolerant(true)
        .build();
    List<JWK> keys;
    try {
      keys = source.get(new JWKSelector(SIGNING_KEYS), null);
    } catch (KeySourceException e) {
      throw new StartupException("cannot fetch the JWKS at " + jwksUrl + ": "
          + RootCause.messageOf(e).replaceAll("\\s+", " "), e);
    }
    if (keys.isEmpty()) {
      throw new StartupException("the JWKS at " + jwksUrl + " holds no RSA or EC signing key", null);
    }
    return source;
  }

  /** One daemon thread for the background refresh, gone while idle: nothing to close when a node stops. */
  private static ExecutorService refresher() {
    return new ThreadPoolExecutor(0, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
      Thread thread = new Thread(task, "coupon-jwks-refresh");
      thread.setDaemon(true);
      return thread;
    });
  }
}
