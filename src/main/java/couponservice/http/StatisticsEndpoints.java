package couponservice.http;

import couponservice.Json;
import couponservice.CouponException;
import couponservice.readside.StatisticsReadModel;
import couponservice.readside.StatisticsReadModel.Day;
import couponservice.stats.LiveStatistics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.util.ByteString;

/** {@code /api/statistics}: daily figures with hourly buckets, and the live stream (ADMIN). */
public final class StatisticsEndpoints {
  private static final long MAX_DAYS = 366;
  private static final Duration HEARTBEAT = Duration.ofSeconds(15);
  /** A comment line: proxies see traffic, clients ignore it (text/event-stream). */
  private static final ByteString HEARTBEAT_LINE = ByteString.fromString(":\n\n");

  private final HttpContext http;
  private final StatisticsReadModel statistics;
  private final LiveStatistics live;

  public StatisticsEndpoints(HttpContext http, StatisticsReadModel statistics, LiveStatistics live) {
    this.http = http;
    this.statistics = statistics;
    this.live = live;
  }

  public List<Endpoint> endpoints() {
    return List.of(
        Endpoint.get("/api/statistics/daily", this::daily),
        Endpoint.get("/api/statistics/stream", this::stream));
  }

  record DailyStatistics(List<Day> days) {}

  private CompletionStage<HttpResponse> daily(ApiRequest request) {
    request.caller().requireAdmin();
    LocalDate from = date("from", request.requiredQuery("from"));
    LocalDate to = date("to", request.requiredQuery("to"));
    if (from.isAfter(to)) {
      throw CouponException.invalid("from must not be after to");
    }
    if (ChronoUnit.DAYS.between(from, to) >= MAX_DAYS) {
      throw CouponException.invalid("the range from..to may span at most " + MAX_DAYS + " days");
    }
    return http.query(() -> new DailyStatistics(statistics.daily(from, to)));
  }

  private static LocalDate date(String name, String value) {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw CouponException.invalid(name + " must be a date such as 2026-01-31");
    }
  }

  /**
   * One {@code stats} event per active policy whenever the figures change, and one {@code job} event per bulk job
   * running or just ended whenever one moves; heartbeats keep proxies open.
   */
  private CompletionStage<HttpResponse> stream(ApiRequest request) {
    request.caller().requireAdmin();
    return CompletableFuture.completedFuture(HttpResponse.create().withEntity(HttpEntities.create(
        ContentTypes.create(MediaTypes.TEXT_EVENT_STREAM),
        live.updates().mapConcat(policies -> policies).map(stats -> event("stats", stats))
            .merge(live.jobUpdates().mapConcat(jobs -> jobs).map(job -> event("job", job)))
            .keepAlive(HEARTBEAT, () -> HEARTBEAT_LINE))));
  }

  private static ByteString event(String name, Object data) {
    return ByteString.fromString("event: " + name + "\ndata: " + new String(Json.write(data), StandardCharsets.UTF_8)
        + "\n\n");
  }
}
