package couponservice;

/** A misconfiguration or unavailable dependency that stops startup; its message is the one line printed. */
public final class StartupException extends Exception {
  public StartupException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The innermost message of {@code e}: what a one-line startup failure says about its cause. */
  public static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
