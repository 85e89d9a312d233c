package couponservice.stats;

/** One {@code job} event of {@code GET /api/statistics/stream}: a bulk job's progress and its issue rate. */
public record JobProgress(long jobId, long couponPolicyId, String status, long totalRequested, long processed,
    long successCount, long failureCount, double issuedPerSecond) {}
