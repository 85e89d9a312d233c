package couponservice.http;

import couponservice.AskDeadline;
import couponservice.EntityAnswers;
import couponservice.Outcome;
import couponservice.auth.Authenticator;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * What every operation needs: the caller's authentication, response building, and
 * the two ways an answer is made — an entity's outcome or a read-model query. Entity answers arrive on
 * {@code callbacks}, the actor system's dispatcher ({@link EntityAnswers}).
 */
public final class HttpContext {
  private final Authenticator authenticator;
  private final Responses responses;
  private final Duration askTimeout;
  private final long maxBodyBytes;
  private final Executor callbacks;
  private final Executor blocking;
  private final Clock clock;

  public HttpContext(Authenticator authenticator, Responses responses, Duration askTimeout, long maxBodyBytes,
      Executor callbacks, Executor blocking, Clock clock) {
    this.maxBodyBytes = maxBodyBytes;
    this.authenticator = authenticator;
    this.responses = responses;
    this.askTimeout = askTimeout;
    this.callbacks = callbacks;
    this.blocking = blocking;
    this.clock = clock;
  }

  public Authenticator authenticator() {
    return authenticator;
  }

  public Responses responses() {
    return responses;
  }

  public Duration askTimeout() {
    return askTimeout;
  }

  /** The largest body an endpoint takes unless it says otherwise. */
  public long maxBodyBytes() {
    return maxBodyBytes;
  }

  public Executor callbacks() {
    return callbacks;
  }

  public Clock clock() {
    return clock;
  }

  /** See {@link ApiRequest#respondBy()}. */
  Instant respondBy() {
    return AskDeadline.respondBy(clock, askTimeout);
  }

  /** Asks an entity; the outcome arrives on the dispatcher. */
  public <C, T> CompletionStage<Outcome<T>> ask(EntityRef<C> entity, Function<ActorRef<Outcome<T>>, C> command) {
    return EntityAnswers.onDispatcher(entity.<Outcome<T>>ask(command::apply, askTimeout), callbacks);
  }

  /** The response to an entity's outcome, {@code successStatus} when it succeeded. */
  public <T> CompletionStage<HttpResponse> reply(CompletionStage<Outcome<T>> outcome, int successStatus) {
    return outcome.thenApply(value -> responses.outcome(value, successStatus));
  }

  /**
   * A read-model query, run and answered 200 on the blocking dispatcher's thread: handing the result to the
   * dispatcher first would cost one more thread hand-off, and each one waits for a core on a busy node.
   */
  public <T> CompletionStage<HttpResponse> query(ReadModelQuery<T> query) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return responses.json(200, query.run());
      } catch (SQLException e) {
        throw new IllegalStateException("read model query failed", e);
      }
    }, blocking);
  }

  /** Runs {@code work} on the blocking dispatcher (JDBC). */
  public <T> CompletionStage<T> blocking(ReadModelQuery<T> work) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return work.run();
      } catch (SQLException e) {
        throw new IllegalStateException("read model query failed", e);
      }
    }, blocking);
  }

  @FunctionalInterface
  public interface ReadModelQuery<T> {
    T run() throws SQLException;
  }
}
