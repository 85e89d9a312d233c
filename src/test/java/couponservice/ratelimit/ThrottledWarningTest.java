package couponservice.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ThrottledWarningTest {

  @Test
  void warnsAtMostOncePerIntervalAndCountsTheSuppressedOnes() {
    Logger logger = new LoggerContext().getLogger("throttled");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    AtomicLong nanos = new AtomicLong(1_000);
    ThrottledWarning warning = new ThrottledWarning(logger, Duration.ofMinutes(1), nanos::get);

    warning.warn(() -> "down");
    warning.warn(() -> "down");
    warning.warn(() -> "down");
    nanos.addAndGet(Duration.ofSeconds(59).toNanos());
    warning.warn(() -> "down");
    assertEquals(1, appender.list.size());

    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    warning.warn(() -> "still down");
    assertEquals(2, appender.list.size());
    assertEquals("down (0 similar warnings not logged since the previous one; at most one every 60s)",
        appender.list.get(0).getFormattedMessage());
    assertEquals("still down (3 similar warnings not logged since the previous one; at most one every 60s)",
        appender.list.get(1).getFormattedMessage());
  }
}
