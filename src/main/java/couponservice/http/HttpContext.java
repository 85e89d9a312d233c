package couponservice.http;

import couponservice.auth.Authenticator;
import java.time.Duration;
import java.util.concurrent.Executor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * What every route needs: sharding to reach entities, the caller's authentication, response building.
 * Callbacks on ask replies run on {@code callbacks} (the actor system's dispatcher): Scala-backed
 * CompletionStages run even their non-async stages on the common pool, which on a two-core machine
 * starts a thread per callback.
 */
public record HttpContext(
    ClusterSharding sharding,
    Authenticator authenticator,
    Responses responses,
    Duration askTimeout,
    long maxBodyBytes,
    Executor callbacks,
    Executor blockingExecutor) {}
