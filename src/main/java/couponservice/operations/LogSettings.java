package couponservice.operations;

import java.util.Map;
import java.util.Set;

/**
 * The two logging variables of conf/logback.xml, checked before anything logs: logback would take an unknown
 * format for an appender that does not exist and print nothing at all, and an unknown access-log value for a level.
 *
 * @param json {@code COUPON_LOG_FORMAT=json}: one JSON object per line ({@link JsonLogEncoder}); else text
 * @param accessLog {@code COUPON_ACCESS_LOG=on}: one line per answered request on {@code couponservice.access}
 */
public record LogSettings(boolean json, boolean accessLog) {
  public static LogSettings fromEnvironment(Map<String, String> environment) {
    String format = value(environment, "COUPON_LOG_FORMAT", "text", Set.of("text", "json"));
    String access = value(environment, "COUPON_ACCESS_LOG", "off", Set.of("on", "off"));
    return new LogSettings(format.equals("json"), access.equals("on"));
  }

  private static String value(Map<String, String> environment, String variable, String unset, Set<String> allowed) {
    String value = environment.getOrDefault(variable, unset);
    if (!allowed.contains(value)) {
      throw new IllegalArgumentException(variable + " must be " + String.join(" or ", allowed.stream().sorted().toList())
          + ", not " + value);
    }
    return value;
  }
}
