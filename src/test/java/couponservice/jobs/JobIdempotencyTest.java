package couponservice.jobs;

import static couponservice.testkit.ApiAssertions.assertErrorBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import couponservice.Outcome;
import couponservice.auth.Role;
import couponservice.auth.TokenMinter;
import couponservice.jobs.SubmissionKey.ClaimedJob;
import couponservice.node.ServiceNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.Eventually;
import couponservice.testkit.OffsetClock;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code Idempotency-Key} on {@code POST /api/issuance-jobs}, through the HTTP API of one node on PostgreSQL: a retry
 * answers the job the first submission started, concurrent submissions under one key start one job, a key is refused
 * for another body and belongs to its caller, and a submission that died halfway is finished by its retry — under a
 * new job id once the first id's submission timeout passed. (A retry after the node was SIGKILLed mid-submission:
 * {@link JobCrashTest}.)
 */
class JobIdempotencyTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();
  private static final JobApi jobs = new JobApi(api);
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Duration SUBMISSION_TIMEOUT = Duration.ofMinutes(5);
  /** The subject of {@link JobApi#ADMIN}: the caller whose keys the tests use. */
  private static final String ADMIN_SUBJECT = "test-admin";

  private static final OffsetClock clock = new OffsetClock();
  private static ServiceNode node;
  private static int port;

  @BeforeAll
  static void start() {
    node = TestNodes.start(TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(), ConfigFactory.parseMap(
        Map.of("coupon.jobs.submission-timeout", SUBMISSION_TIMEOUT.toMinutes() + "m"))), clock);
    port = node.httpPort();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static long policy() {
    return api.createPolicy(port, Map.of("distributionType", "DIRECT", "maxIssueCount", 1_000_000));
  }

  private static Response submit(long policyId, long users, String key) {
    return api.send(JobApi.submission(port, policyId, 1, users, "Keyed", JobApi.ADMIN, key));
  }

  private static long jobsOf(long policyId) {
    return database.queryLong("SELECT count(*) FROM issuance_jobs WHERE policy_id = " + policyId);
  }

  private static long jobJournalRows() {
    return database.queryLong("SELECT count(*) FROM event_journal WHERE persistence_id LIKE 'IssuanceJob|%'");
  }

  /** Waits for the job's end and its row, then checks that the policy has no other job. */
  private static void assertOnlyJob(long policyId, long jobId, long users) {
    JsonNode job = jobs.ended(port, jobId, WAIT);
    assertEquals(users, job.path("successCount").asLong(), job::toString);
    Eventually.await(WAIT, "the job's end in the read model", () -> database.queryRows(
        "SELECT status FROM issuance_jobs WHERE job_id = " + jobId).equals(List.of(List.of("COMPLETED"))));
    assertEquals(1, jobsOf(policyId), "one job for the policy");
  }

  @Test
  void aRetryAnswersTheJobTheFirstSubmissionStarted() {
    long policyId = policy();
    long jobId = JobApi.started(submit(policyId, 3_000, "retry-after-202"));
    long retried = JobApi.started(submit(policyId, 3_000, "retry-after-202"));
    assertEquals(jobId, retried, "the same job, and its Location");
    assertOnlyJob(policyId, jobId, 3_000);

    Response afterTheEnd = submit(policyId, 3_000, "retry-after-202");
    assertEquals(jobId, JobApi.started(afterTheEnd));
    assertEquals("COMPLETED", afterTheEnd.body().path("status").asText(), afterTheEnd.raw()::body);
    assertEquals(1, jobsOf(policyId));
  }

  @Test
  void concurrentSubmissionsUnderOneKeyStartOneJob() {
    long policyId = policy();
    // Three parts each, so that the submissions overlap while they send them.
    List<CompletableFuture<Response>> submissions = IntStream.range(0, 4).mapToObj(i -> api.sendAsync(
        JobApi.submission(port, policyId, 1, 120_000, "Keyed", JobApi.ADMIN, "concurrent"))).toList();
    List<Long> jobIds = submissions.stream().map(CompletableFuture::join).map(JobApi::started).distinct().toList();
    assertEquals(1, jobIds.size(), "one job for all: " + jobIds);
    assertOnlyJob(policyId, jobIds.get(0), 120_000);
  }

  @Test
  void aKeyIsRefusedForAnotherBodyAndBelongsToItsCaller() {
    long policyId = policy();
    long otherPolicyId = policy();
    long jobId = JobApi.started(submit(policyId, 100, "one-body"));
    jobs.ended(port, jobId, WAIT);
    long journalRows = jobJournalRows();

    Response otherUsers = submit(policyId, 101, "one-body");
    assertErrorBody(otherUsers, 400, "VALIDATION_FAILED");
    assertTrue(otherUsers.body().path("message").asText().contains("Idempotency-Key"), otherUsers.raw()::body);
    assertErrorBody(submit(otherPolicyId, 100, "one-body"), 400, "VALIDATION_FAILED");
    assertErrorBody(api.send(JobApi.submission(port, policyId, 1, 100, "Another name", JobApi.ADMIN, "one-body")), 400,
        "VALIDATION_FAILED");
    assertErrorBody(submit(policyId, 100, "has space"), 400, "VALIDATION_FAILED");
    assertEquals(journalRows, jobJournalRows(), "nothing was started");

    // Another admin's key of the same name is another key.
    String otherAdmin = new TokenMinter(TestNodes.JWT_SECRET).mint("other-admin", List.of(Role.ADMIN),
        Duration.ofHours(1));
    long othersJob = JobApi.started(api.send(JobApi.submission(port, otherPolicyId, 1, 100, "Keyed", otherAdmin,
        "one-body")));
    assertNotEquals(jobId, othersJob);
    assertEquals(jobId, JobApi.started(submit(policyId, 100, "one-body")), "the first caller's key is unchanged");
  }

  @Test
  void aSubmissionThatDiedHalfwayIsFinishedByItsRetryUnderANewIdOnceItsOwnTimedOut() {
    long policyId = policy();
    int users = 60_000;
    long[] userIds = LongStream.rangeClosed(1, users).toArray();
    JobSubmission submission = new JobSubmission(policyId, "Keyed", "crm", userIds);
    ClusterSharding sharding = ClusterSharding.get(node.system());
    // The first attempt claimed a job id under the key and sent the first of its two parts, then died.
    long firstId = JobIds.next(clock);
    ClaimedJob first = new ClaimedJob(firstId, "first-attempt");
    Outcome<ClaimedJob> claimed = sharding.entityRefFor(SubmissionKey.ENTITY_KEY,
            SubmissionKey.entityId(ADMIN_SUBJECT, "died-halfway"))
        .<Outcome<ClaimedJob>>ask(replyTo -> new SubmissionKey.Claim(submission.fingerprint(), first, replyTo),
            WAIT)
        .toCompletableFuture().join();
    assertEquals(Outcome.ok(first), claimed);
    Outcome<Integer> part = sharding.entityRefFor(IssuanceJob.ENTITY_KEY, Long.toString(firstId))
        .<Outcome<Integer>>ask(replyTo -> new IssuanceJob.AddUsers("first-attempt", 0,
            LongStream.rangeClosed(1, IssuanceJobs.PART_SIZE).toArray(), replyTo), WAIT)
        .toCompletableFuture().join();
    assertEquals(Outcome.ok(IssuanceJobs.PART_SIZE), part);

    clock.advance(SUBMISSION_TIMEOUT.plusSeconds(1));
    Response retried = submit(policyId, users, "died-halfway");
    long jobId = JobApi.started(retried);
    assertNotEquals(firstId, jobId, "the first id is past its submission timeout: the job runs under a new one");
    assertTrue(JobIds.drawnAt(jobId).isAfter(JobIds.drawnAt(firstId).plus(SUBMISSION_TIMEOUT)), "a new id's time");
    assertEquals("RUNNING", jobs.job(port, jobId).path("status").asText(), "answered at once after the 202");
    assertErrorBody(jobs.get(port, "/api/issuance-jobs/" + firstId), 404, "JOB_NOT_FOUND");

    assertEquals(jobId, JobApi.started(submit(policyId, users, "died-halfway")), "the key moved to the new job");
    assertOnlyJob(policyId, jobId, users);
  }
}
