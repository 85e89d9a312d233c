package couponservice.stats;

/** One {@code stats} event of {@code GET /api/statistics/stream}. */
public record PolicyStats(long policyId, long issued, Long remaining, long reserved, long used, double issuedPerSecond) {}
