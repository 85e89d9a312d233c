package couponservice.policy;

public enum DistributionType {
  CODE,
  DOWNLOAD,
  FIRST_COME,
  EVENT,
  DIRECT
}
