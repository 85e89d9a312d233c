package couponservice.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteTemplatesTest {
  @ParameterizedTest
  @CsvSource({
      "/api/coupons/reserve, /api/coupons/reserve",
      "/api/coupons/1000000042, /api/coupons/{couponId}",
      "/api/coupons/1000000042/cancel, /api/coupons/{couponId}/cancel",
      "/api/coupons/users/7/expiring, /api/coupons/users/{userId}/expiring",
      "/api/coupons/apply/R-1, /api/coupons/apply/{reservationId}",
      "/api/coupon-policies/3/issue, /api/coupon-policies/{policyId}/issue",
      "/api/coupon-policies, /api/coupon-policies",
      "/metrics, /metrics",
      "/api/issuance-jobs/223876487908434/results, /api/issuance-jobs/{jobId}/results",
      "/wp-login.php, unmatched",
      "/api/coupons/1/2/3, unmatched",
      "/api/coupons/, unmatched"})
  void pathsMapToTheirEndpointsTemplate(String path, String template) {
    assertEquals(template, RouteTemplates.of(path));
  }
}
