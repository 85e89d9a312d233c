package couponservice.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RateLimitRuleTest {
  private static final RateLimitRule RULE = new RateLimitRule(5, 20, Duration.ofHours(24));
  private static final long NOW = Instant.parse("2025-03-01T10:15:42.250Z").toEpochMilli();

  @Test
  void allowsBelowBothLimits() {
    assertEquals(RateLimitRule.Verdict.ALLOW, RULE.judge(NOW, 4, 19));
  }

  @Test
  void fullMinuteWaitsForTheNextMinute() {
    assertEquals(new RateLimitRule.Verdict(false, 17_750, false), RULE.judge(NOW, 5, 7));
  }

  @Test
  void exceedingTheHourStartsTheBlockEvenWhenTheMinuteIsFullToo() {
    long day = Duration.ofHours(24).toMillis();
    assertEquals(new RateLimitRule.Verdict(false, day, true), RULE.judge(NOW, 2, 20));
    assertEquals(new RateLimitRule.Verdict(false, day, true), RULE.judge(NOW, 5, 20));
  }

  @Test
  void aBlockShorterThanTheRestOfTheHourLastsToTheHourEnd() {
    RateLimitRule shortBlock = new RateLimitRule(5, 20, Duration.ofMinutes(5));
    long toHourEnd = Instant.parse("2025-03-01T11:00:00Z").toEpochMilli() - NOW;
    assertEquals(new RateLimitRule.Verdict(false, toHourEnd, true), shortBlock.judge(NOW, 0, 20));
  }

  @Test
  void windowsAreAlignedToTheEpoch() {
    assertEquals(NOW / 60_000, RateLimitRule.window(NOW, RateLimitRule.MINUTE_MILLIS));
    assertEquals(Instant.parse("2025-03-01T10:16:00Z").toEpochMilli(),
        RateLimitRule.windowEnd(NOW, RateLimitRule.MINUTE_MILLIS));
    assertEquals(Instant.parse("2025-03-01T11:00:00Z").toEpochMilli(),
        RateLimitRule.windowEnd(NOW, RateLimitRule.HOUR_MILLIS));
  }

  @Test
  void retryAfterRoundsUpToWholeSecondsAndIsAtLeastOne() {
    assertEquals(18, RateLimitDecision.rejectedFor(17_750).retryAfterSeconds());
    assertEquals(60, RateLimitDecision.rejectedFor(60_000).retryAfterSeconds());
    assertEquals(1, RateLimitDecision.rejectedFor(1).retryAfterSeconds());
    assertEquals(1, RateLimitDecision.rejectedFor(0).retryAfterSeconds());
  }

  @Test
  void rejectsLimitsThatCannotBeMet() {
    assertThrows(IllegalArgumentException.class, () -> new RateLimitRule(0, 20, Duration.ofHours(24)));
    assertThrows(IllegalArgumentException.class, () -> new RateLimitRule(5, 0, Duration.ofHours(24)));
    assertThrows(IllegalArgumentException.class, () -> new RateLimitRule(5, 20, Duration.ofHours(-1)));
  }
}
