package couponservice.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import couponservice.StartupException;
import couponservice.auth.Role;
import couponservice.auth.TokenMinter;
import couponservice.operations.LogSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    LogSettings logging;
    ServiceNode node;
    Config config;
    try {
      // Before anything logs: logback reads the same variables when it starts.
      logging = LogSettings.fromEnvironment(System.getenv());
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
    List<String> started = new ArrayList<>();
    started.add("coupon-service (" + profile + ") listening on http://"
        + (host.equals("0.0.0.0") ? "localhost" : host) + ":" + node.httpPort());
    if (profile.equals("dev")) {
      String token = new TokenMinter(config.getString("coupon.auth.jwt-secret"))
          .mint("dev-admin", List.of(Role.ADMIN), Duration.ofDays(30));
      started.add("dev ADMIN token (30 days): " + token);
    }
    // The last lines of a start: libraries log only warnings after it (conf/logback.xml). With JSON logs they are
    // log lines too, so that every line of the output is one JSON object.
    if (logging.json()) {
      Logger log = LoggerFactory.getLogger(Main.class);
      started.forEach(log::info);
    } else {
      started.forEach(System.out::println);
    }
  }

  private static void fail(String message) {
    System.err.println("coupon-service cannot start: " + message);
    System.exit(1);
  }
}
