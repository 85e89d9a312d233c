package couponservice.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import couponservice.node.ServiceNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.Cluster3;
import couponservice.testkit.Eventually;
import couponservice.testkit.ServiceProcess;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.LongStream;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 7: a job that answered 202 finishes, across crashes, and issues no user twice. The node running a job is
 * killed mid-job — a service process SIGKILLed and started again (both profiles), or a cluster member downed while
 * two others run on — and the job ends with the exact counts of a job never interrupted. A submission killed halfway
 * through sending its parts is finished by its retry with the same Idempotency-Key: one job.
 */
class JobCrashTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();
  private static final JobApi jobs = new JobApi(api);
  private static final Duration STARTUP = Duration.ofSeconds(60);
  private static final Duration WAIT = Duration.ofMinutes(3);
  /** Users who hold a coupon of the policy before the job, and users the stock leaves out. */
  private static final int EARLIER = 100;
  private static final int SOLD_OUT = 1_000;
  /** Chunks smaller than the default, so that the node dies with the job mid-way and its chunks cross the crash. */
  private static final Config SMALL_CHUNKS = ConfigFactory.parseMap(Map.of("coupon.jobs.chunk-size", 1_000));

  /** A job of {@code users} users, with {@link #EARLIER} of them already holding a coupon and stock short by 1,000. */
  private record Expected(long policyId, int users) {
    int stock() {
      return users - SOLD_OUT;
    }

    void assertExact(JsonNode job) {
      assertEquals("COMPLETED", job.path("status").asText(), job::toString);
      assertEquals(users, job.path("processed").asLong(), job::toString);
      assertEquals(stock() - EARLIER, job.path("successCount").asLong(), job::toString);
      assertEquals(EARLIER, job.path("failuresByCode").path("COUPON_ALREADY_ISSUED").asLong(), job::toString);
      assertEquals(SOLD_OUT, job.path("failuresByCode").path("COUPON_SOLD_OUT").asLong(), job::toString);
      JobApi.assertConsistent(job);
    }
  }

  private static Expected policyWithEarlierHolders(int port, int users) {
    long policyId = api.createPolicy(port, Map.of("distributionType", "DIRECT", "maxIssueCount", users - SOLD_OUT));
    Response earlier = api.send(port, "POST", "/api/coupons/direct-issue", JobApi.ADMIN, Map.of("couponPolicyId",
        policyId, "userIds", LongStream.rangeClosed(1, EARLIER).boxed().toList()));
    assertEquals(201, earlier.status(), earlier.raw()::body);
    return new Expected(policyId, users);
  }

  private static long issuedCount(int port, long policyId) {
    return api.send(port, "GET", "/api/coupon-policies/" + policyId, JobApi.ADMIN, null).longField("currentIssueCount");
  }

  @Test
  void aJobResumesAfterItsNodeIsKilledAndRestartedOnPostgres() {
    int users = 120_000;
    Expected expected;
    long jobId;
    try (ServiceProcess node = startReady(
        name -> ServiceProcess.startProd("job-crash-" + name, database, Map.of(), SMALL_CHUNKS),
        "before")) {
      expected = policyWithEarlierHolders(node.httpPort(), users);
      jobId = JobApi.started(jobs.submit(node.httpPort(), expected.policyId(), 1, users, "Crash"));
      Eventually.await(WAIT, "a fifth of the job processed", () -> processedInReadModel(jobId) >= users / 5);
      node.kill();
    }
    long processedBeforeCrash = processedInReadModel(jobId);
    assertTrue(processedBeforeCrash < users, "killed mid-job: " + processedBeforeCrash);

    try (ServiceProcess node = startReady(
        name -> ServiceProcess.startProd("job-crash-" + name, database, Map.of(), SMALL_CHUNKS),
        "after")) {
      // Nothing asks for the job: it resumes by itself (remembered by its shard), as the read model shows.
      Eventually.await(WAIT, "the job completed after the restart", () -> completedInReadModel(jobId));
      expected.assertExact(jobs.job(node.httpPort(), jobId));
      assertEquals(expected.stock(), issuedCount(node.httpPort(), expected.policyId()));
      assertReadModelExact(expected, jobId);
    }
  }

  @Test
  void aJobResumesAfterItsNodeIsKilledAndRestartedOnH2(@TempDir Path dataDir) {
    int users = 20_000;
    Expected expected;
    long jobId;
    try (ServiceProcess node = startReady(
        name -> ServiceProcess.startDev("job-crash-dev-" + name, dataDir, Map.of(), SMALL_CHUNKS),
        "before")) {
      expected = policyWithEarlierHolders(node.httpPort(), users);
      jobId = JobApi.started(jobs.submit(node.httpPort(), expected.policyId(), 1, users, "Crash"));
      Eventually.await(WAIT, "a chunk processed", () -> jobs.job(node.httpPort(), jobId).path("processed").asLong() > 0);
      node.kill();
    }
    try (ServiceProcess node = startReady(
        name -> ServiceProcess.startDev("job-crash-dev-" + name, dataDir, Map.of(), SMALL_CHUNKS),
        "after")) {
      expected.assertExact(jobs.ended(node.httpPort(), jobId, WAIT));
      assertEquals(expected.stock(), issuedCount(node.httpPort(), expected.policyId()));
      Eventually.await(WAIT, "every result in the read model", () -> jobs.get(node.httpPort(),
          "/api/issuance-jobs/" + jobId + "/results?outcome=FAILED&limit=100").body().path("results").size() == 100);
    }
  }

  @Test
  void aJobResumesOnAnotherNodeWhenItsNodeIsDowned() {
    int users = 30_000;
    // A downed node goes on running its entities until its shutdown reaches sharding (seconds), and in this JVM a
    // job of chunks of 1,000 ends within a second: chunks of 10 make it last long enough to be moved.
    try (Cluster3 cluster = new Cluster3(database, ConfigFactory.parseMap(Map.of("coupon.jobs.chunk-size", 10)))) {
      int port = cluster.httpPorts().get(0);
      Expected expected = policyWithEarlierHolders(port, users);
      long jobId = JobApi.started(jobs.submit(port, expected.policyId(), 1, users, "Failover"));
      ServiceNode host = cluster.nodes().stream()
          .filter(node -> TestNodes.entitiesInMemory(node, IssuanceJob.ENTITY_KEY).contains(Long.toString(jobId)))
          .findFirst().orElseThrow();
      Eventually.await(WAIT, "a chunk processed", () -> jobs.job(port, jobId).path("processed").asLong() > 0);
      ServiceNode survivor = cluster.nodes().stream().filter(node -> node != host).findFirst().orElseThrow();
      Cluster.get(survivor.system()).manager().tell(new Down(Cluster.get(host.system()).selfMember().address()));
      assertTrue(processedInReadModel(jobId) < users, "downed mid-job");

      Eventually.await(WAIT, "the job completed on another node", () -> completedInReadModel(jobId));
      List<ServiceNode> rest = cluster.nodes().stream().filter(node -> node != host).toList();
      assertTrue(rest.stream().anyMatch(node ->
          TestNodes.entitiesInMemory(node, IssuanceJob.ENTITY_KEY).contains(Long.toString(jobId))), "it moved");
      expected.assertExact(jobs.job(survivor.httpPort(), jobId));
      assertEquals(expected.stock(), issuedCount(survivor.httpPort(), expected.policyId()));
      assertReadModelExact(expected, jobId);
    }
  }

  @Test
  void aRetryWithTheSameKeyAfterTheNodeDiedMidSubmissionStartsOneJob() {
    int users = 1_000_000;
    int parts = users / IssuanceJobs.PART_SIZE;
    long policyId;
    long jobId;
    try (ServiceProcess node = startReady(name -> ServiceProcess.startProd("job-submission-" + name, database,
        Map.of()), "killed")) {
      policyId = api.createPolicy(node.httpPort(), Map.of("distributionType", "DIRECT", "maxIssueCount", users));
      List<String> jobsBefore = jobJournals();
      api.sendAsync(JobApi.submission(node.httpPort(), policyId, 1, users, "Killed", JobApi.ADMIN, "killed-midway"));
      String[] job = new String[1];
      Eventually.await(WAIT, "two parts of the submission in the journal", () -> {
        job[0] = jobJournals().stream().filter(id -> !jobsBefore.contains(id)).findFirst().orElse(null);
        return job[0] != null && database.queryLong(
            "SELECT count(*) FROM event_journal WHERE persistence_id = '" + job[0] + "'") >= 2;
      });
      node.kill();
      jobId = Long.parseLong(job[0].substring("IssuanceJob|".length()));
    }
    long partsBeforeTheCrash = database.queryLong(
        "SELECT count(*) FROM event_journal WHERE persistence_id = 'IssuanceJob|" + jobId + "'");
    assertTrue(partsBeforeTheCrash < parts, "killed before all " + parts + " parts: " + partsBeforeTheCrash);

    try (ServiceProcess node = startReady(name -> ServiceProcess.startProd("job-submission-" + name, database,
        Map.of()), "retried")) {
      HttpRequest retry = JobApi.submission(node.httpPort(), policyId, 1, users, "Killed", JobApi.ADMIN,
          "killed-midway");
      assertEquals(jobId, JobApi.started(api.send(retry)), "the retry finished the job the first attempt began");
      assertEquals(jobId, JobApi.started(api.send(retry)));
      assertEquals(200, jobs.post(node.httpPort(), "/api/issuance-jobs/" + jobId + "/cancel").status());
      Eventually.await(WAIT, "the job's end in the read model", () -> database.queryRows(
          "SELECT status FROM issuance_jobs WHERE job_id = " + jobId).equals(List.of(List.of("CANCELLED"))));
      assertEquals(1, database.queryLong("SELECT count(*) FROM issuance_jobs WHERE policy_id = " + policyId),
          "one job");
      assertEquals(parts + 2L, database.queryLong("SELECT count(*) FROM event_journal WHERE persistence_id = "
          + "'IssuanceJob|" + jobId + "' AND event_ser_manifest NOT LIKE '%ChunkProcessed'"),
          "each part once, then its start and its end");
    }
  }

  private static List<String> jobJournals() {
    return database.queryRows("SELECT DISTINCT persistence_id FROM event_journal WHERE persistence_id LIKE"
        + " 'IssuanceJob|%'").stream().map(row -> row.get(0)).toList();
  }

  private static long processedInReadModel(long jobId) {
    List<List<String>> rows = database.queryRows(
        "SELECT success_count + failure_count FROM issuance_jobs WHERE job_id = " + jobId);
    return rows.isEmpty() ? 0 : Long.parseLong(rows.get(0).get(0));
  }

  /** Whether the job's row says COMPLETED; a job the read model has not seen start yet has no row. */
  private static boolean completedInReadModel(long jobId) {
    return database.queryRows("SELECT status FROM issuance_jobs WHERE job_id = " + jobId)
        .equals(List.of(List.of("COMPLETED")));
  }

  /** Every user once in the results, every coupon once in the wallets, no user holding two. */
  private static void assertReadModelExact(Expected expected, long jobId) {
    Eventually.await(WAIT, "the coupons and results in the read model", () ->
        database.queryLong("SELECT count(*) FROM coupon_issues WHERE policy_id = " + expected.policyId())
            == expected.stock()
            && database.queryLong("SELECT count(*) FROM issuance_job_results WHERE job_id = " + jobId)
            == expected.users());
    assertEquals(0, database.queryLong("SELECT count(*) FROM (SELECT user_id FROM coupon_issues WHERE policy_id = "
        + expected.policyId() + " GROUP BY user_id HAVING count(*) > 1) twice"), "no user holds two coupons");
    assertEquals(expected.users(), database.queryLong(
        "SELECT count(DISTINCT user_id) FROM issuance_job_results WHERE job_id = " + jobId));
  }

  private static ServiceProcess startReady(Function<String, ServiceProcess> start, String name) {
    ServiceProcess node = start.apply(name);
    node.awaitReady(STARTUP);
    return node;
  }
}
