package couponservice.policy;

public enum DiscountType {
  FIXED_AMOUNT,
  PERCENTAGE
}
