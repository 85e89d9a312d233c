package couponservice.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import couponservice.StartupException;
import couponservice.auth.Role;
import couponservice.auth.TokenMinter;
import java.time.Duration;
import java.util.List;

/** Starts one node: {@code java -jar target/coupon-service.jar}, profile from COUPON_PROFILE (dev by default). */
public final class Main {
  private static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  private Main() {}

  public static void main(String[] args) {
    // With one spare core the common pool runs every async completion on a new thread; libraries
    // (Pekko's Java API among them) complete CompletionStages there. Set before anything uses the pool.
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM, Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors())));
    }
    String profile = System.getenv().getOrDefault("COUPON_PROFILE", "dev");
    ServiceNode node;
    Config config;
    try {
      config = ServiceConfig.load(profile, ConfigFactory.empty(), System.getenv());
      node = ServiceNode.start(config);
    } catch (StartupException e) {
      fail(e.getMessage());
      return;
    } catch (ConfigException | IllegalArgumentException e) {
      fail("invalid configuration: " + e.getMessage());
      return;
    }
    String host = config.getString("coupon.http.interface");
    System.out.println("coupon-service (" + profile + ") listening on http://"
        + (host.equals("0.0.0.0") ? "localhost" : host) + ":" + node.httpPort());
    if (profile.equals("dev")) {
      String token = new TokenMinter(config.getString("coupon.auth.jwt-secret"))
          .mint("dev-admin", List.of(Role.ADMIN), Duration.ofDays(30));
      System.out.println("dev ADMIN token (30 days): " + token);
    }
  }

  private static void fail(String message) {
    System.err.println("coupon-service cannot start: " + message);
    System.exit(1);
  }
}
