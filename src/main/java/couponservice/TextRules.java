package couponservice;

/** Rules every free text of a request obeys: bounded length and no control characters. */
public final class TextRules {
  private TextRules() {}

  public static String requireText(String field, String value, int maxLength) {
    if (value == null || value.isEmpty()) {
      throw CouponException.invalid(field + " is required");
    }
    return optionalText(field, value, maxLength);
  }

  public static String optionalText(String field, String value, int maxLength) {
    if (value == null) {
      return null;
    }
    if (value.length() > maxLength) {
      throw CouponException.invalid(field + " must be at most " + maxLength + " characters");
    }
    if (hasControlCharacter(value)) {
      throw CouponException.invalid(field + " must not contain control characters");
    }
    return value;
  }

  public static boolean hasControlCharacter(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        return true;
      }
    }
    return false;
  }
}
