package couponservice.http;

import couponservice.auth.Authenticator;
import java.time.Duration;
import java.util.concurrent.Executor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** What every route needs: sharding to reach entities, the caller's authentication, response building. */
public record HttpContext(
    ClusterSharding sharding,
    Authenticator authenticator,
    Responses responses,
    Duration askTimeout,
    long maxBodyBytes,
    Executor blockingExecutor) {}
