package couponservice.jobs;

import static couponservice.testkit.ApiAssertions.assertErrorBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import couponservice.node.ServiceNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.Eventually;
import couponservice.testkit.OffsetClock;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reading and cancelling a job by an id that cannot be one answers 404 without starting its entity, which would be
 * remembered (a write to the remember-entities store) until it passivates: an id from the future, or one older than a
 * job could be missing from the read model. A job the read model lists is answered however old; a recent id is asked
 * of its entity, so a job is exact right after its 202.
 */
class JobLookupTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();
  private static final JobApi jobs = new JobApi(api);
  private static final Duration WAIT = Duration.ofSeconds(60);
  /** {@code coupon.jobs.submission-timeout} plus {@code read-model-grace}: how old an unlisted id may be. */
  private static final Duration UNLISTED_WINDOW = Duration.ofMinutes(6);

  private static final OffsetClock clock = new OffsetClock();
  private static ServiceNode node;
  private static int port;

  @BeforeAll
  static void start() {
    node = TestNodes.start(TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(), ConfigFactory.parseMap(
        Map.of("coupon.jobs.submission-timeout", "5m", "coupon.jobs.read-model-grace", "1m"))), clock);
    port = node.httpPort();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /**
   * Rows of the job entities' remember-entities store (event-sourced, one journal per shard) that name {@code jobId},
   * and rows of the job's own journal.
   */
  private static long writesAbout(long jobId) {
    return database.queryLong("SELECT count(*) FROM event_journal"
        + " WHERE persistence_id LIKE '/sharding/IssuanceJobShard/%'"
        + " AND position(convert_to('" + jobId + "', 'UTF8') in event_payload) > 0")
        + database.queryLong("SELECT count(*) FROM event_journal WHERE persistence_id = 'IssuanceJob|" + jobId + "'");
  }

  private static long idDrawn(Duration fromNow) {
    return JobIds.next(Clock.fixed(clock.instant().plus(fromNow), ZoneOffset.UTC));
  }

  private static void assertNotFoundEverywhere(long jobId) {
    assertErrorBody(jobs.get(port, "/api/issuance-jobs/" + jobId), 404, "JOB_NOT_FOUND");
    assertErrorBody(jobs.get(port, "/api/issuance-jobs/" + jobId + "/results"), 404, "JOB_NOT_FOUND");
    assertErrorBody(jobs.post(port, "/api/issuance-jobs/" + jobId + "/cancel"), 404, "JOB_NOT_FOUND");
  }

  @Test
  void anIdThatCannotBeAJobIsNotFoundWithoutStartingAnEntity() {
    List<Long> noJobs = List.of(idDrawn(Duration.ofHours(1)), idDrawn(Duration.ofDays(-1)),
        idDrawn(UNLISTED_WINDOW.negated().minusSeconds(1)), 123_456_789L, (1L << 53) - 1);
    for (long jobId : noJobs) {
      assertNotFoundEverywhere(jobId);
    }
    Set<String> inMemory = TestNodes.entitiesInMemory(node, IssuanceJob.ENTITY_KEY);
    assertTrue(noJobs.stream().noneMatch(jobId -> inMemory.contains(Long.toString(jobId))), inMemory::toString);

    // A recent id may be a job the read model does not list yet: its entity is asked, and so remembered.
    long recent = idDrawn(Duration.ofMinutes(-1));
    assertNotFoundEverywhere(recent);
    assertTrue(TestNodes.entitiesInMemory(node, IssuanceJob.ENTITY_KEY).contains(Long.toString(recent)));
    Eventually.await(WAIT, "the asked entity remembered", () -> writesAbout(recent) > 0);
    for (long jobId : noJobs) {
      assertEquals(0, writesAbout(jobId), "nothing written about " + jobId);
    }
  }

  @Test
  void aJobIsExactRightAfterItsAcceptanceAndFoundFromTheReadModelWhenOld() {
    long policyId = api.createPolicy(port, Map.of("distributionType", "DIRECT", "maxIssueCount", 10_000));
    long jobId = JobApi.started(jobs.submit(port, policyId, 1, 5_000, "Looked up"));
    JsonNode running = jobs.job(port, jobId);
    assertEquals(jobId, running.path("jobId").asLong(), running::toString);
    JsonNode ended = jobs.ended(port, jobId, WAIT);
    Eventually.await(WAIT, "the job listed", () -> database.queryLong(
        "SELECT count(*) FROM issuance_jobs WHERE job_id = " + jobId + " AND status = 'COMPLETED'") == 1);

    clock.advance(UNLISTED_WINDOW.plusMinutes(1));
    assertEquals(ended, jobs.job(port, jobId), "listed, so asked of its entity");
    assertEquals(ended, jobs.post(port, "/api/issuance-jobs/" + jobId + "/cancel").body(), "an ended job as it is");
    JsonNode results = jobs.get(port, "/api/issuance-jobs/" + jobId + "/results?limit=1").body();
    assertEquals(1, results.path("results").get(0).path("userId").asLong(), results::toString);
    assertFalse(ended.path("completedAt").isNull());
  }
}
