package couponservice;

/** A misconfiguration or unavailable dependency that stops startup; its message is the one line printed. */
public final class StartupException extends Exception {
  public StartupException(String message, Throwable cause) {
    super(message, cause);
  }

}
