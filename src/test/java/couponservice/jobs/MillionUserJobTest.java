package couponservice.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import couponservice.node.ServiceNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.Eventually;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The largest job the API takes — 1,000,000 users, an 8 MB body — on one node on PostgreSQL, with the read model and
 * the Kafka publisher running: it completes with exact counts, the policy's stock and per-user limit hold, and the
 * read model holds each user's coupon once.
 */
class MillionUserJobTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();
  private static final JobApi jobs = new JobApi(api);
  private static final int USERS = 1_000_000;
  /** Users who hold a coupon of the policy before the job. */
  private static final int EARLIER = 500;
  /** Sold out 1,000 users before the end of the job. */
  private static final int STOCK = USERS - 1_000;

  private static ServiceNode node;

  @BeforeAll
  static void start() {
    node = TestNodes.startSingle(database);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void aMillionUserJobCompletesWithExactCounts() {
    int port = node.httpPort();
    long policyId = api.createPolicy(port, Map.of("distributionType", "DIRECT", "maxIssueCount", STOCK));
    Response earlier = api.send(port, "POST", "/api/coupons/direct-issue", JobApi.ADMIN, Map.of("couponPolicyId",
        policyId, "userIds", LongStream.rangeClosed(1, EARLIER).boxed().toList()));
    assertEquals(201, earlier.status(), earlier.raw()::body);

    String body = "{\"couponPolicyId\":" + policyId + ",\"name\":\"Everyone\",\"userIds\":["
        + LongStream.rangeClosed(1, USERS).mapToObj(Long::toString).collect(Collectors.joining(",")) + "]}";
    long started = System.nanoTime();
    long jobId = JobApi.started(jobs.submitJson(port, body, JobApi.ADMIN));
    long accepted = System.nanoTime();
    JsonNode job = jobs.ended(port, jobId, Duration.ofMinutes(10));
    long completed = System.nanoTime();
    System.out.printf("1,000,000-user job: accepted in %d ms, completed %d ms later%n",
        (accepted - started) / 1_000_000, (completed - accepted) / 1_000_000);

    assertEquals("COMPLETED", job.path("status").asText(), job::toString);
    assertEquals(USERS, job.path("totalRequested").asLong());
    assertEquals(USERS, job.path("processed").asLong());
    assertEquals(STOCK - EARLIER, job.path("successCount").asLong(), job::toString);
    assertEquals(EARLIER, job.path("failuresByCode").path("COUPON_ALREADY_ISSUED").asLong(), job::toString);
    assertEquals(USERS - STOCK, job.path("failuresByCode").path("COUPON_SOLD_OUT").asLong(), job::toString);
    JobApi.assertConsistent(job);
    JsonNode policy = api.send(port, "GET", "/api/coupon-policies/" + policyId, JobApi.ADMIN, null).body();
    assertEquals(STOCK, policy.path("currentIssueCount").asLong(), policy::toString);

    Eventually.await(Duration.ofMinutes(5), "every coupon and every result in the read model", () ->
        database.queryLong("SELECT count(*) FROM coupon_issues WHERE policy_id = " + policyId) == STOCK
            && database.queryLong("SELECT count(*) FROM issuance_job_results WHERE job_id = " + jobId) == USERS);
    System.out.printf("read model complete %d ms after the job%n", (System.nanoTime() - completed) / 1_000_000);
    assertEquals(0, database.queryLong("SELECT count(*) FROM (SELECT user_id FROM coupon_issues WHERE policy_id = "
        + policyId + " GROUP BY user_id HAVING count(*) > 1) twice"), "no user holds two coupons");
    assertEquals(List.of(List.of("FAILED", Long.toString(USERS - STOCK + EARLIER)),
            List.of("SUCCESS", Long.toString(STOCK - EARLIER))),
        database.queryRows("SELECT status, count(*) FROM issuance_job_results WHERE job_id = " + jobId
            + " GROUP BY status ORDER BY status"));
    assertEquals(0, database.queryLong("SELECT count(*) FROM issuance_job_results r JOIN coupon_issues c"
        + " ON c.id = r.coupon_id WHERE r.job_id = " + jobId + " AND c.user_id <> r.user_id"),
        "each result's coupon is its user's");
  }
}
