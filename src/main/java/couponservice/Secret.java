package couponservice;

/**
 * A credential from the environment (a password). Settings records hold it as this type so that printing
 * them, in a log line or an exception message, shows {@code ***} instead of the value.
 */
public record Secret(String value) {
  public static final Secret NONE = new Secret("");

  public Secret {
    if (value == null) {
      throw new IllegalArgumentException("a secret is a string, possibly empty");
    }
  }

  public boolean isEmpty() {
    return value.isEmpty();
  }

  @Override
  public String toString() {
    return value.isEmpty() ? "(none)" : "***";
  }
}
