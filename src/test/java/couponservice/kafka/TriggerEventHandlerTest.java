package couponservice.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import couponservice.ErrorCode;
import couponservice.Outcome;
import java.util.List;
import org.junit.jupiter.api.Test;

class TriggerEventHandlerTest {
  @Test
  void aPolicysRefusalAnswersTheTrigger() {
    assertEquals(Handled.APPLIED, TriggerEventHandler.handled(List.of(1L, 2L), List.of(
        Outcome.rejected(ErrorCode.COUPON_SOLD_OUT, "sold out"),
        Outcome.rejected(ErrorCode.COUPON_ALREADY_ISSUED, "already issued"))));
    assertEquals(Handled.APPLIED, TriggerEventHandler.handled(List.of(), List.of()));
  }

  @Test
  void aPolicyStillUnavailableAfterTheRetriesMakesTheTriggerADeadLetter() {
    Handled handled = TriggerEventHandler.handled(List.of(1L, 2L), List.of(
        Outcome.rejected(ErrorCode.COUPON_SOLD_OUT, "sold out"),
        Outcome.rejected(ErrorCode.SERVICE_UNAVAILABLE, "the registry did not answer")));
    String reason = assertInstanceOf(Handled.DeadLetter.class, handled).reason();
    assertTrue(reason.startsWith("SERVICE_UNAVAILABLE: policy 2"), reason);
  }
}
