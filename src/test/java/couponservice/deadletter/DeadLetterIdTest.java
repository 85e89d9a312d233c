package couponservice.deadletter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeadLetterIdTest {
  private static String encode(String decoded) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(decoded.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void anIdNamesTheSameRecordAfterARoundTrip() {
    DeadLetterId id = new DeadLetterId("payment.completed.v1", 3, 1234, 1_790_000_000_000L);
    assertEquals(Optional.of(id), DeadLetterId.parse(id.encoded()));
    assertTrue(id.encoded().matches("[A-Za-z0-9_-]+"), "safe in a URL path as it is");
  }

  @Test
  void onlyRecordsOfTheConsumedTopicsDeadLettersAreNamed() {
    assertTrue(DeadLetterId.parse(encode("coupon.issued/0/1/1")).isEmpty(), "a topic the service publishes");
    assertTrue(DeadLetterId.parse(encode("payment.completed.v1/-1/1/1")).isEmpty());
    assertTrue(DeadLetterId.parse(encode("payment.completed.v1/0/1")).isEmpty());
    assertTrue(DeadLetterId.parse("!!").isEmpty());
    assertTrue(DeadLetterId.parse("").isEmpty());
    assertTrue(DeadLetterId.parse("A".repeat(201)).isEmpty());
    assertEquals(Optional.of(new DeadLetterId("coupon.trigger.v1", 0, 7, -1)),
        DeadLetterId.parse(encode("coupon.trigger.v1/0/7/-1")), "a record without a timestamp");
  }
}
