package couponservice.http;

import couponservice.auth.Caller;
import couponservice.deadletter.DeadLetterCursor;
import couponservice.deadletter.DeadLetterOffice;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/** {@code /api/dead-letters}: the dead letters of a consumed topic, and replaying one (ADMIN). */
public final class DeadLetterEndpoints {
  private final HttpContext http;
  private final DeadLetterOffice deadLetters;

  public DeadLetterEndpoints(HttpContext http, DeadLetterOffice deadLetters) {
    this.http = http;
    this.deadLetters = deadLetters;
  }

  public List<Endpoint> endpoints() {
    return List.of(
        Endpoint.get("/api/dead-letters", this::list),
        Endpoint.post("/api/dead-letters/{id}/replay", this::replay));
  }

  private CompletionStage<HttpResponse> list(ApiRequest request) {
    request.caller().requireAdmin();
    String topic = DeadLetterOffice.consumedTopic(request.requiredQuery("topic"));
    int limit = QueryParams.limit(request.query("limit"), QueryParams.DEFAULT_LIMIT);
    DeadLetterCursor cursor = DeadLetterCursor.parse(topic, request.query("cursor"));
    return deadLetters.page(cursor, limit).thenApply(page -> http.responses().json(200, page));
  }

  private CompletionStage<HttpResponse> replay(ApiRequest request) {
    Caller caller = request.caller();
    caller.requireAdmin();
    return http.reply(deadLetters.replay(request.segment("id"), caller.subject()), 200);
  }
}
