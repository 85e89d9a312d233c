package couponservice.http;

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
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code /api/statistics}: daily figures with hourly buckets, and the live stream (ADMIN). */
public final class StatisticsRoutes extends ApiDirectives {
  private static final long MAX_DAYS = 366;
  private static final Duration HEARTBEAT = Duration.ofSeconds(15);

  private final StatisticsReadModel statistics;
  private final LiveStatistics live;

  public StatisticsRoutes(HttpContext http, StatisticsReadModel statistics, LiveStatistics live) {
    super(http);
    this.statistics = statistics;
    this.live = live;
  }

  record DailyStatistics(List<Day> days) {}

  public Route route() {
    return pathPrefix("statistics", () -> get(() -> authenticated(caller -> {
      caller.requireAdmin();
      return concat(
          path("daily", () -> parameter("from", from -> parameter("to", to -> daily(from, to)))),
          path("stream", this::stream));
    })));
  }

  private Route daily(String fromParam, String toParam) {
    LocalDate from = date("from", fromParam);
    LocalDate to = date("to", toParam);
    if (from.isAfter(to)) {
      throw CouponException.invalid("from must not be after to");
    }
    if (ChronoUnit.DAYS.between(from, to) >= MAX_DAYS) {
      throw CouponException.invalid("the range from..to may span at most " + MAX_DAYS + " days");
    }
    return query(() -> new DailyStatistics(statistics.daily(from, to)));
  }

  private static LocalDate date(String name, String value) {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw CouponException.invalid(name + " must be a date such as 2026-01-31");
    }
  }

  /** One {@code stats} event per active policy whenever the figures change; heartbeats keep proxies open. */
  private Route stream() {
    return completeOK(
        live.updates()
            .mapConcat(policies -> policies)
            .map(stats -> ServerSentEvent.create(new String(Json.write(stats), StandardCharsets.UTF_8), "stats"))
            .keepAlive(HEARTBEAT, ServerSentEvent::heartbeat),
        EventStreamMarshalling.toEventStream());
  }
}
