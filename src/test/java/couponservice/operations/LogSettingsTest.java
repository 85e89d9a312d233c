package couponservice.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LogSettingsTest {
  @Test
  void unsetMeansTextWithoutAccessLog() {
    assertEquals(new LogSettings(false, false), LogSettings.fromEnvironment(Map.of()));
  }

  @Test
  void jsonAndTheAccessLogAreSwitchedOnByTheirVariables() {
    assertEquals(new LogSettings(true, true),
        LogSettings.fromEnvironment(Map.of("COUPON_LOG_FORMAT", "json", "COUPON_ACCESS_LOG", "on")));
    assertEquals(new LogSettings(false, false),
        LogSettings.fromEnvironment(Map.of("COUPON_LOG_FORMAT", "text", "COUPON_ACCESS_LOG", "off")));
  }

  @Test
  void anyOtherValueIsRefusedNamingTheVariable() {
    assertEquals("COUPON_LOG_FORMAT must be json or text, not JSON", assertThrows(IllegalArgumentException.class,
        () -> LogSettings.fromEnvironment(Map.of("COUPON_LOG_FORMAT", "JSON"))).getMessage());
    assertEquals("COUPON_ACCESS_LOG must be off or on, not true", assertThrows(IllegalArgumentException.class,
        () -> LogSettings.fromEnvironment(Map.of("COUPON_ACCESS_LOG", "true"))).getMessage());
  }
}
