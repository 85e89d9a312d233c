package couponservice.metrics;

import java.util.List;

/**
 * The route template of a request path, for metric labels: ids become placeholders so a label names
 * an endpoint, not a coupon, and anything that is not an endpoint of the API is {@code unmatched}, so
 * scanners cannot grow the label set without bound. Literal templates come before parameterized ones
 * with the same prefix.
 */
public final class RouteTemplates {
  private RouteTemplates() {}

  /** The flash sale's endpoint, which the HTTP layer also answers outside the routes. */
  public static final String ISSUE_BY_POLICY = "/api/coupon-policies/{policyId}/issue";
  /** The wallet's listing, which the HTTP layer also answers outside the routes. */
  public static final String WALLET = "/api/coupons/users/{userId}";

  private static final List<String> TEMPLATES = List.of(
      "/health",
      "/metrics",
      "/openapi.yaml",
      "/api/coupon-policies",
      "/api/coupon-policies/{policyId}",
      ISSUE_BY_POLICY,
      "/api/coupon-policies/{policyId}/remaining-quantity",
      "/api/coupon-policies/{policyId}/activate",
      "/api/coupon-policies/{policyId}/deactivate",
      "/api/coupon-policies/{policyId}/statistics",
      "/api/coupons/download",
      "/api/coupons/direct-issue",
      "/api/coupons/reserve",
      "/api/coupons/apply",
      "/api/coupons/apply/{reservationId}",
      "/api/coupons/reservations/{reservationId}/confirm",
      WALLET,
      "/api/coupons/users/{userId}/expiring",
      "/api/coupons/users/{userId}/statistics",
      "/api/coupons/validate/{couponCode}",
      "/api/coupons/{couponId}",
      "/api/coupons/{couponId}/cancel",
      "/api/statistics/daily",
      "/api/statistics/stream",
      "/api/issuance-jobs",
      "/api/issuance-jobs/{jobId}",
      "/api/issuance-jobs/{jobId}/results",
      "/api/issuance-jobs/{jobId}/cancel");

  private static final List<String[]> SEGMENTS = TEMPLATES.stream().map(RouteTemplates::segments).toList();

  /** Every endpoint's template. */
  public static List<String> templates() {
    return TEMPLATES;
  }

  public static String of(String path) {
    String[] actual = segments(path);
    for (int i = 0; i < SEGMENTS.size(); i++) {
      if (matches(SEGMENTS.get(i), actual)) {
        return TEMPLATES.get(i);
      }
    }
    return "unmatched";
  }

  private static boolean matches(String[] template, String[] actual) {
    if (template.length != actual.length) {
      return false;
    }
    for (int i = 0; i < template.length; i++) {
      boolean parameter = template[i].startsWith("{");
      if (parameter ? actual[i].isEmpty() : !template[i].equals(actual[i])) {
        return false;
      }
    }
    return true;
  }

  private static String[] segments(String path) {
    String trimmed = path.startsWith("/") ? path.substring(1) : path;
    return trimmed.split("/", -1);
  }
}
