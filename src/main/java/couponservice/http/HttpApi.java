package couponservice.http;

import couponservice.RootCause;
import com.typesafe.config.Config;
import couponservice.StartupException;
import couponservice.auth.Authenticator;
import couponservice.coupon.Coupons;
import couponservice.deadletter.DeadLetterOffice;
import couponservice.issuance.CouponCodeDirectory;
import couponservice.jobs.IssuanceJobs;
import couponservice.policy.Policies;
import couponservice.policy.PolicyHistory;
import couponservice.ratelimit.IssueRateLimiter;
import couponservice.readside.ReadSide;
import couponservice.stats.LiveStatistics;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.stream.Materializer;

/**
 * The HTTP API of a node: every endpoint of API.md, bound on {@code coupon.http.interface:port}.
 *
 * @param routes the route table, as "METHOD template"
 */
public record HttpApi(ServerBinding binding, List<String> routes) {
  private static final Duration BIND_TIMEOUT = Duration.ofSeconds(30);
  /** How long requests in flight are answered after the node stops taking new ones. */
  private static final Duration UNBIND_DEADLINE = Duration.ofSeconds(10);

  public static HttpApi start(ActorSystem<?> system, Config config, Authenticator authenticator, Clock clock,
      Policies policies, Coupons coupons, IssuanceJobs jobs, ReadSide readSide, LiveStatistics live,
      IssueRateLimiter rateLimiter, DeadLetterOffice deadLetters) throws StartupException {
    Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig("coupon.blocking-dispatcher"));
    Responses responses = new Responses(clock);
    HttpContext http = new HttpContext(authenticator, responses, config.getDuration("coupon.http.ask-timeout"),
        config.getBytes("coupon.http.max-body-bytes"), system.executionContext(), blocking, clock);
    ApiHandler api = new ApiHandler(http, Materializer.matFromSystem(system), List.of(
        new IssuanceEndpoints(http, policies, new CouponCodeDirectory(policies, http.askTimeout(),
            system.executionContext()), rateLimiter).endpoints(),
        new WalletEndpoints(http, readSide.wallets()).endpoints(),
        new CouponEndpoints(http, coupons).endpoints(),
        new PolicyEndpoints(http, policies, readSide.policies(), readSide.statistics()).endpoints(),
        new PolicyHistoryEndpoints(http, new PolicyHistory(system)).endpoints(),
        new StatisticsEndpoints(http, readSide.statistics(), live).endpoints(),
        new JobEndpoints(http, jobs, readSide.jobs(), config.getBytes("coupon.http.max-job-body-bytes")).endpoints(),
        new DeadLetterEndpoints(http, deadLetters).endpoints(),
        new ServiceEndpoints(responses).endpoints(),
        new ConsoleEndpoints().endpoints()));
    String host = config.getString("coupon.http.interface");
    int port = config.getInt("coupon.http.port");
    try {
      ServerBinding binding = Http.get(system).newServerAt(host, port).bind(api.handler())
          .toCompletableFuture().get(BIND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      binding.addToCoordinatedShutdown(UNBIND_DEADLINE, system);
      return new HttpApi(binding, api.routes());
    } catch (ExecutionException | TimeoutException e) {
      throw new StartupException("cannot listen for HTTP on " + host + ":" + port + " (port in use?): "
          + RootCause.messageOf(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartupException("binding HTTP was interrupted", e);
    }
  }
}
