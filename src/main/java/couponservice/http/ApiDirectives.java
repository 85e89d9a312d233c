package couponservice.http;

import couponservice.CouponException;
import couponservice.ErrorCode;
import couponservice.Outcome;
import couponservice.auth.Authenticator;
import couponservice.auth.Caller;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/** The few directives every route of the API is built from: authenticate, read JSON, parse ids, answer. */
public abstract class ApiDirectives extends AllDirectives {
  protected final HttpContext http;

  protected ApiDirectives(HttpContext http) {
    this.http = http;
  }

  protected Route authenticated(Function<Caller, Route> inner) {
    Authenticator authenticator = http.authenticator();
    return extractRequest(request -> inner.apply(callerOf(authenticator, request)));
  }

  /** The caller of {@code request}; a {@link CouponException} (401) when it cannot be established. */
  static Caller callerOf(Authenticator authenticator, HttpRequest request) {
    return authenticator.authenticate(name -> request.getHeader(name).map(HttpHeader::value));
  }

  /** The request body as JSON: 415 if it is declared as something else, 413 past the size limit. */
  protected Route jsonBody(Function<JsonBody, Route> inner) {
    return extractRequestEntity(entity -> {
      requireJson(entity);
      return withSizeLimit(http.maxBodyBytes(), () ->
          entity(Unmarshaller.entityToByteArray(), bytes -> {
            if (bytes.length == 0) {
              throw CouponException.invalid("a JSON body is required");
            }
            return inner.apply(JsonBody.parse(bytes));
          }));
    });
  }

  private static void requireJson(HttpEntity entity) {
    if (!entity.isKnownEmpty() && !declaresJson(entity)) {
      throw new CouponException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "the body must be application/json");
    }
  }

  static boolean declaresJson(HttpEntity entity) {
    return entity.getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON);
  }

  /** A path segment that must be a positive long id; anything else is 400 naming {@code name}. */
  protected Route pathId(String name, Function<Long, Route> inner) {
    return pathPrefix(PathMatchers.segment(), segment -> {
      long id = parseId(segment);
      return id > 0 ? inner.apply(id) : reject(new InvalidPathId(name));
    });
  }

  /** The positive long in {@code segment}, or 0. */
  static long parseId(String segment) {
    try {
      return Math.max(0, Long.parseLong(segment));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Asks an entity and answers its outcome, {@code successStatus} when it succeeded. */
  protected <C, T> Route ask(EntityRef<C> entity, Function<ActorRef<Outcome<T>>, C> command, int successStatus) {
    return reply(entity.ask(command::apply, http.askTimeout()), successStatus);
  }

  protected <T> Route reply(CompletionStage<Outcome<T>> outcome, int successStatus) {
    return completeWithFuture(respond(outcome, successStatus));
  }

  /** The response to an entity's answer, built on the dispatcher. */
  protected <T> CompletionStage<HttpResponse> respond(CompletionStage<Outcome<T>> outcome, int successStatus) {
    return outcome.handleAsync((value, failure) -> failure == null
        ? http.responses().outcome(value, successStatus)
        : http.responses().failure(failure), http.callbacks());
  }

  /** A read-model query run on the blocking dispatcher, answered 200 with its result. */
  protected <T> Route query(ReadModelQuery<T> query) {
    return completeWithFuture(queryResponse(query));
  }

  /**
   * The response to a read-model query, run and written on the blocking dispatcher's thread: handing the result to
   * the dispatcher first would cost a thread hand-off more, and each one waits for a core on a busy node.
   */
  protected <T> CompletionStage<HttpResponse> queryResponse(ReadModelQuery<T> query) {
    Responses responses = http.responses();
    return CompletableFuture.supplyAsync(() -> {
      try {
        return responses.json(200, query.run());
      } catch (SQLException e) {
        throw new IllegalStateException("read model query failed", e);
      }
    }, http.blockingExecutor()).exceptionally(responses::failure);
  }

  @FunctionalInterface
  protected interface ReadModelQuery<T> {
    T run() throws SQLException;
  }

  protected Duration askTimeout() {
    return http.askTimeout();
  }
}
