package couponservice.ratelimit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * A WARN at most once per interval; the ones in between are counted and the count goes with the next. An
 * outage seen by 25,000 checks a second must not flood the log.
 */
final class ThrottledWarning {
  private final Logger log;
  private final Duration interval;
  private final LongSupplier nanoTime;
  private final AtomicLong nextWarningNanos;
  private final LongAdder suppressed = new LongAdder();

  ThrottledWarning(Logger log, Duration interval) {
    this(log, interval, System::nanoTime);
  }

  ThrottledWarning(Logger log, Duration interval, LongSupplier nanoTime) {
    this.log = log;
    this.interval = interval;
    this.nanoTime = nanoTime;
    this.nextWarningNanos = new AtomicLong(nanoTime.getAsLong());
  }

  /** {@code message} is only built when the warning is logged, not for the suppressed ones. */
  void warn(Supplier<String> message) {
    long now = nanoTime.getAsLong();
    long next = nextWarningNanos.get();
    if (now - next >= 0 && nextWarningNanos.compareAndSet(next, now + interval.toNanos())) {
      log.warn("{} ({} similar warnings not logged since the previous one; at most one every {}s)", message.get(),
          suppressed.sumThenReset(), interval.toSeconds());
    } else {
      suppressed.increment();
    }
  }
}
