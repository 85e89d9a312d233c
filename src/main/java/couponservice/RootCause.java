package couponservice;

/** The innermost cause of a failure: what a one-line message (a startup failure, a dead letter) says about it. */
public final class RootCause {
  private RootCause() {}

  public static String messageOf(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
