package couponservice;

/** A request refused with one of the contract's error codes; never carries a stack trace to the caller. */
public final class CouponException extends RuntimeException {
  private final ErrorCode code;

  public CouponException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public static CouponException invalid(String message) {
    return new CouponException(ErrorCode.VALIDATION_FAILED, message);
  }

  public ErrorCode code() {
    return code;
  }
}
