package couponservice.jobs;

import static couponservice.testkit.ApiAssertions.assertErrorBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import couponservice.kafka.Topics;
import couponservice.node.ServiceNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.Eventually;
import couponservice.testkit.KafkaProbe;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bulk issuance jobs through the HTTP API of one node on PostgreSQL, with the Kafka publisher running: JSON and CSV
 * submissions, refusals that start nothing, a policy that sells out mid-job, cancelling, the results and the list,
 * progress on the live stream and in {@code /metrics}, and ADMIN only.
 */
class BulkIssuanceJobTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();
  private static final JobApi jobs = new JobApi(api);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Smaller than the default, so that the jobs here have several chunks and a cancel finds one running. */
  private static final int CHUNK_SIZE = 500;
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static ServiceNode node;
  private static int port;

  @BeforeAll
  static void start() {
    node = TestNodes.start(TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(),
        ConfigFactory.parseMap(Map.of("coupon.jobs.chunk-size", CHUNK_SIZE))));
    port = node.httpPort();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static long policy(String type, Long stock) {
    Map<String, Object> terms = new java.util.HashMap<>(Map.of("distributionType", type));
    terms.put("maxIssueCount", stock);
    return api.createPolicy(port, terms);
  }

  private static long issuedCount(long policyId) {
    return api.send(port, "GET", "/api/coupon-policies/" + policyId, JobApi.ADMIN, null).longField("currentIssueCount");
  }

  @Test
  void aJsonJobIssuesEachUserOnceAndAnswersPerUserResultsInRequestOrder() {
    long policyId = policy("DIRECT", 10_000L);
    Response earlier = api.send(port, "POST", "/api/coupons/direct-issue", JobApi.ADMIN,
        Map.of("couponPolicyId", policyId, "userIds", List.of(3, 5), "issuedBy", "earlier"));
    assertEquals(201, earlier.status(), earlier.body()::toString);

    long jobId = JobApi.started(jobs.submit(port, policyId, 1, 2_600, "Winter VIP"));
    JsonNode job = jobs.ended(port, jobId, WAIT);
    assertEquals("COMPLETED", job.path("status").asText(), job::toString);
    assertEquals(policyId, job.path("couponPolicyId").asLong());
    assertEquals("Winter VIP", job.path("name").asText());
    assertEquals("crm", job.path("issuedBy").asText());
    assertEquals(2_600, job.path("totalRequested").asLong());
    assertEquals(2_600, job.path("processed").asLong());
    assertEquals(2_598, job.path("successCount").asLong());
    assertEquals(2, job.path("failuresByCode").path("COUPON_ALREADY_ISSUED").asLong(), job::toString);
    assertTrue(job.path("createdAt").asText().endsWith("Z") && job.path("completedAt").asText().endsWith("Z"));
    JobApi.assertConsistent(job);
    assertEquals(2_600, issuedCount(policyId), "the job's coupons and the two issued before it");

    Eventually.await(WAIT, "every result in the read model", () -> database.queryLong(
        "SELECT count(*) FROM issuance_job_results WHERE job_id = " + jobId) == 2_600);
    Response first = jobs.get(port, "/api/issuance-jobs/" + jobId + "/results?limit=100");
    assertEquals(200, first.status(), first.raw()::body);
    JsonNode results = first.body().path("results");
    assertEquals(100, results.size());
    for (int i = 0; i < 100; i++) {
      assertEquals(i + 1, results.get(i).path("userId").asLong(), "request order");
    }
    assertEquals("FAILED", results.get(2).path("status").asText());
    assertEquals("COUPON_ALREADY_ISSUED", results.get(2).path("errorCode").asText());
    assertTrue(results.get(2).path("couponId").isNull());
    assertEquals("SUCCESS", results.get(0).path("status").asText());
    assertTrue(results.get(0).path("errorCode").isNull());
    assertTrue(first.body().path("hasMore").asBoolean());
    JsonNode second = jobs.get(port, "/api/issuance-jobs/" + jobId + "/results?limit=100&cursor="
        + first.body().path("nextCursor").asText()).body();
    assertEquals(101, second.path("results").get(0).path("userId").asLong(), "the next page follows on");

    JsonNode failed = jobs.get(port, "/api/issuance-jobs/" + jobId + "/results?outcome=FAILED").body();
    assertEquals(List.of(3L, 5L), failed.path("results").findValues("userId").stream().map(JsonNode::asLong).toList());
    assertFalse(failed.path("hasMore").asBoolean());
    long couponOfUser1 = results.get(0).path("couponId").asLong();
    Eventually.await(WAIT, "the coupons in the wallets", () -> database.queryLong(
        "SELECT count(*) FROM coupon_issues WHERE policy_id = " + policyId) == 2_600);
    assertEquals(1, database.queryLong("SELECT user_id FROM coupon_issues WHERE id = " + couponOfUser1));
    assertEquals(0, database.queryLong("SELECT count(*) FROM (SELECT user_id FROM coupon_issues WHERE policy_id = "
        + policyId + " GROUP BY user_id HAVING count(*) > 1) twice"), "no user holds two");
  }

  @Test
  void aPolicyThatSellsOutMidJobIssuesItsStockAndRefusesTheRestSoldOut() {
    long policyId = policy("FIRST_COME", 1_234L);
    long jobId = JobApi.started(jobs.submit(port, policyId, 50_001, 53_000, "Flash"));
    JsonNode job = jobs.ended(port, jobId, WAIT);
    assertEquals("COMPLETED", job.path("status").asText());
    assertEquals(1_234, job.path("successCount").asLong(), job::toString);
    assertEquals(3_000 - 1_234, job.path("failuresByCode").path("COUPON_SOLD_OUT").asLong(), job::toString);
    assertEquals(1, job.path("failuresByCode").size(), job::toString);
    JobApi.assertConsistent(job);
    assertEquals(1_234, issuedCount(policyId));

    // Published like any other coupon: one coupon.issued per coupon of the job.
    try (KafkaProbe kafka = new KafkaProbe(database)) {
      Eventually.await(WAIT, "every coupon of the job on coupon.issued", () -> kafka.values(Topics.COUPON_ISSUED)
          .stream().filter(event -> event.path("data").path("policyId").asLong() == policyId).count() == 1_234);
    }
    Eventually.await(WAIT, "the job in the read model", () -> jobs.get(port, "/api/issuance-jobs?limit=100").body()
        .path("jobs").findValues("jobId").stream().anyMatch(id -> id.asLong() == jobId));
  }

  @Test
  void aCsvFileWithOrWithoutItsHeaderLineIsAJob() {
    long policyId = policy("DOWNLOAD", null);
    long withHeader = JobApi.started(jobs.submitCsv(port, "couponPolicyId=" + policyId + "&name=CSV&issuedBy=ops",
        "userId\n201\n202\n203\n"));
    long withoutHeader = JobApi.started(jobs.submitCsv(port, "couponPolicyId=" + policyId, "301\r\n 302 \r\n\r\n"));
    JsonNode first = jobs.ended(port, withHeader, WAIT);
    assertEquals(3, first.path("successCount").asLong(), first::toString);
    assertEquals("CSV", first.path("name").asText());
    assertEquals("ops", first.path("issuedBy").asText());
    JsonNode second = jobs.ended(port, withoutHeader, WAIT);
    assertEquals(2, second.path("totalRequested").asLong(), second::toString);
    assertEquals(2, second.path("successCount").asLong(), second::toString);
    assertTrue(second.path("name").isNull());
    assertEquals("test-admin", second.path("issuedBy").asText(), "the caller, when issuedBy is not given");
    assertEquals(5, issuedCount(policyId));
  }

  @Test
  void aBadLineOrIdIsRefusedNamingItAndNothingStarts() {
    long policyId = policy("DIRECT", 100L);
    long journalRows = database.queryLong("SELECT count(*) FROM event_journal");
    String query = "couponPolicyId=" + policyId;

    Response badLine = jobs.submitCsv(port, query, "userId\n1\nabc\n3\n");
    assertErrorBody(badLine, 400, "VALIDATION_FAILED");
    assertTrue(badLine.body().path("message").asText().contains("line 3"), badLine.raw()::body);
    Response duplicate = jobs.submitCsv(port, query, "7\n8\n7\n");
    assertErrorBody(duplicate, 400, "VALIDATION_FAILED");
    assertTrue(duplicate.body().path("message").asText().contains("line 3"), duplicate.raw()::body);
    assertTrue(duplicate.body().path("message").asText().contains("line 1"), duplicate.raw()::body);
    assertErrorBody(jobs.submitCsv(port, query, "userId\n"), 400, "VALIDATION_FAILED");
    assertErrorBody(jobs.submitCsv(port, query, "0\n"), 400, "VALIDATION_FAILED");
    assertErrorBody(jobs.submitCsv(port, query, "99999999999999999999\n"), 400, "VALIDATION_FAILED");
    assertErrorBody(jobs.submitCsv(port, "name=x", "1\n"), 400, "VALIDATION_FAILED");
    assertErrorBody(jobs.submitCsv(port, "couponPolicyId=" + (policyId + 1000), "1\n"), 404, "POLICY_NOT_FOUND");

    Response repeated = jobs.submitJson(port, "{\"couponPolicyId\":" + policyId + ",\"userIds\":[4,5,4]}", JobApi.ADMIN);
    assertErrorBody(repeated, 400, "VALIDATION_FAILED");
    assertTrue(repeated.body().path("message").asText().contains("userIds[2]"), repeated.raw()::body);
    Response notAnId = jobs.submitJson(port, "{\"couponPolicyId\":" + policyId + ",\"userIds\":[4,\"5\"]}",
        JobApi.ADMIN);
    assertTrue(notAnId.body().path("message").asText().contains("userIds[1]"), notAnId.raw()::body);
    assertErrorBody(notAnId, 400, "VALIDATION_FAILED");
    for (String body : List.of("{\"couponPolicyId\":" + policyId + ",\"userIds\":[]}", "{\"userIds\":[1]}",
        "{\"couponPolicyId\":" + policyId + "}", "{\"couponPolicyId\":-1,\"userIds\":[1]}", "[1,2]",
        "{\"couponPolicyId\":" + policyId + ",\"userIds\":[1.5]}", "{\"couponPolicyId\":" + policyId
            + ",\"userIds\":[1]} trailing", "{\"couponPolicyId\":" + policyId + ",\"userIds\":[1],\"name\":7}")) {
      assertErrorBody(jobs.submitJson(port, body, JobApi.ADMIN), 400, "VALIDATION_FAILED");
    }
    assertErrorBody(jobs.submitJson(port, "{\"couponPolicyId\":" + (policyId + 1000) + ",\"userIds\":[1]}",
        JobApi.ADMIN), 404, "POLICY_NOT_FOUND");
    Response xml = api.send(ApiClient.request(port, "POST", "/api/issuance-jobs", JobApi.ADMIN, "<jobs/>")
        .setHeader("Content-Type", "application/xml").build());
    assertErrorBody(xml, 415, "UNSUPPORTED_MEDIA_TYPE");

    assertEquals(journalRows, database.queryLong("SELECT count(*) FROM event_journal"), "nothing was written");
    assertEquals(0, issuedCount(policyId));
  }

  @Test
  void aPolicyThatDoesNotIssueNowIsRefusedAtSubmissionAndNothingStarts() {
    long policyId = policy("DIRECT", 100L);
    long notYet = api.createPolicy(port, Map.of("distributionType", "DIRECT", "validFrom", "2098-01-01T00:00:00Z"));
    assertEquals(200, jobs.post(port, "/api/coupon-policies/" + policyId + "/deactivate").status());
    long journalRows = database.queryLong("SELECT count(*) FROM event_journal");

    Response json = jobs.submitJson(port, "{\"couponPolicyId\":" + policyId + ",\"userIds\":[1,2]}", JobApi.ADMIN);
    assertErrorBody(json, 400, "POLICY_INACTIVE");
    assertTrue(json.body().path("message").asText().contains("deactivated"), json.raw()::body);
    assertErrorBody(jobs.submitCsv(port, "couponPolicyId=" + policyId, "1\n2\n"), 400, "POLICY_INACTIVE");
    assertErrorBody(jobs.submit(port, notYet, 1, 2, "Too early"), 400, "POLICY_INACTIVE");
    assertEquals(journalRows, database.queryLong("SELECT count(*) FROM event_journal"), "nothing was written");

    assertEquals(200, jobs.post(port, "/api/coupon-policies/" + policyId + "/activate").status());
    JsonNode job = jobs.ended(port, JobApi.started(jobs.submit(port, policyId, 1, 2, "Active again")), WAIT);
    assertEquals(2, job.path("successCount").asLong(), job::toString);
  }

  @Test
  void aPolicyDeactivatedMidJobRefusesTheRestPolicyInactive() {
    long policyId = policy("DIRECT", null);
    long jobId = JobApi.started(jobs.submit(port, policyId, 1, 100_000, "Deactivated midway"));
    Eventually.await(WAIT, "the job issued its first chunk",
        () -> jobs.job(port, jobId).path("processed").asLong() > 0);
    assertEquals(200, jobs.post(port, "/api/coupon-policies/" + policyId + "/deactivate").status());

    JsonNode job = jobs.ended(port, jobId, WAIT);
    assertEquals("COMPLETED", job.path("status").asText(), job::toString);
    long issued = job.path("successCount").asLong();
    assertTrue(issued > 0 && issued < 100_000, job::toString);
    assertEquals(100_000 - issued, job.path("failuresByCode").path("POLICY_INACTIVE").asLong(), job::toString);
    JobApi.assertConsistent(job);
    assertEquals(issued, issuedCount(policyId));
  }

  @Test
  void aCancelledJobStopsBetweenChunksAndKeepsWhatItIssued() throws Exception {
    long policyId = policy("DIRECT", null);
    try (LiveStream live = LiveStream.open(port)) {
      long jobId = JobApi.started(jobs.submit(port, policyId, 100_001, 300_000, "To cancel"));
      Eventually.await(WAIT, "the job issued its first chunk", () -> jobs.job(port, jobId).path("processed").asLong() > 0);
      assertTrue(scrape().contains("coupon_job_issued_total{job=\"" + jobId + "\"}"), "the running job's series");

      Response cancelled = jobs.post(port, "/api/issuance-jobs/" + jobId + "/cancel");
      assertEquals(200, cancelled.status(), cancelled.raw()::body);
      JsonNode job = cancelled.body();
      assertEquals("CANCELLED", job.path("status").asText(), job::toString);
      long processed = job.path("processed").asLong();
      assertTrue(processed > 0 && processed < 200_000, job::toString);
      assertEquals(0, processed % CHUNK_SIZE, "whole chunks only");
      assertEquals(processed, job.path("successCount").asLong());
      assertNotNull(job.path("completedAt").textValue());

      assertEquals(job, jobs.post(port, "/api/issuance-jobs/" + jobId + "/cancel").body(), "a repeat changes nothing");
      assertEquals(processed, issuedCount(policyId), "the users not yet processed were not issued");
      Eventually.await(WAIT, "the results of the processed users", () -> database.queryLong(
          "SELECT count(*) FROM issuance_job_results WHERE job_id = " + jobId) == processed);
      assertEquals(job, jobs.job(port, jobId), "it stays cancelled");
      assertEquals(processed, issuedCount(policyId));
      assertFalse(scrape().contains("job=\"" + jobId + "\""), "the ended job's series is gone");

      JsonNode progress = live.nextJobEvent(jobId, Duration.ofSeconds(10));
      assertEquals(policyId, progress.path("couponPolicyId").asLong(), progress::toString);
      assertTrue(progress.has("issuedPerSecond") && progress.has("processed"), progress::toString);
    }
  }

  @Test
  void onlyAdminsReachTheJobs() {
    long policyId = policy("DIRECT", 10L);
    String user = ApiClient.userToken(42);
    assertErrorBody(jobs.submitJson(port, "{\"couponPolicyId\":" + policyId + ",\"userIds\":[42]}", user), 403,
        "FORBIDDEN");
    assertErrorBody(jobs.submitJson(port, "{\"couponPolicyId\":" + policyId + ",\"userIds\":[42]}", null), 401,
        "UNAUTHORIZED");
    for (String path : List.of("/api/issuance-jobs", "/api/issuance-jobs/1", "/api/issuance-jobs/1/results")) {
      assertErrorBody(api.send(port, "GET", path, user, null), 403, "FORBIDDEN");
    }
    assertErrorBody(api.send(port, "POST", "/api/issuance-jobs/1/cancel", user, Map.of()), 403, "FORBIDDEN");
    assertEquals(0, issuedCount(policyId));
  }

  @Test
  void anUnknownJobIsNotFound() {
    assertErrorBody(jobs.get(port, "/api/issuance-jobs/123456789"), 404, "JOB_NOT_FOUND");
    assertErrorBody(jobs.get(port, "/api/issuance-jobs/123456789/results"), 404, "JOB_NOT_FOUND");
    assertErrorBody(jobs.post(port, "/api/issuance-jobs/123456789/cancel"), 404, "JOB_NOT_FOUND");
    assertErrorBody(jobs.get(port, "/api/issuance-jobs/abc"), 400, "VALIDATION_FAILED");
    assertErrorBody(jobs.get(port, "/api/issuance-jobs/1/results?outcome=MAYBE"), 400, "VALIDATION_FAILED");
  }

  @Test
  void theListIsNewestFirstPageByPage() {
    long policyId = policy("DOWNLOAD", null);
    List<Long> submitted = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      submitted.add(JobApi.started(jobs.submit(port, policyId, 900_000 + i, 900_000 + i, "List " + i)));
    }
    Eventually.await(WAIT, "the jobs in the read model", () -> database.queryLong(
        "SELECT count(*) FROM issuance_jobs WHERE policy_id = " + policyId) == 3);
    List<Long> listed = new ArrayList<>();
    String cursor = "";
    do {
      JsonNode page = jobs.get(port, "/api/issuance-jobs?limit=1&cursor=" + cursor).body();
      page.path("jobs").forEach(job -> listed.add(job.path("jobId").asLong()));
      cursor = page.path("hasMore").asBoolean() ? page.path("nextCursor").asText() : null;
    } while (cursor != null);
    List<Long> ours = listed.stream().filter(submitted::contains).toList();
    assertEquals(List.of(submitted.get(2), submitted.get(1), submitted.get(0)), ours, "newest first, no repeats");
    assertEquals(listed.size(), listed.stream().distinct().count());
  }

  private static String scrape() {
    try {
      HttpResponse<String> raw = HttpClient.newHttpClient().send(ApiClient.request(port, "GET", "/metrics", null, null)
          .build(), HttpResponse.BodyHandlers.ofString());
      return raw.body();
    } catch (Exception e) {
      throw new AssertionError("GET /metrics failed", e);
    }
  }

  /** {@code GET /api/statistics/stream}, read line by line on a thread of its own. */
  private static final class LiveStream implements AutoCloseable {
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final HttpResponse<Stream<String>> response;

    private LiveStream(HttpResponse<Stream<String>> response) {
      this.response = response;
      Thread reader = new Thread(() -> response.body().forEach(lines::add));
      reader.setDaemon(true);
      reader.start();
    }

    static LiveStream open(int port) throws Exception {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/statistics/stream"))
          .header("Authorization", "Bearer " + JobApi.ADMIN).GET().build();
      HttpResponse<Stream<String>> response = HttpClient.newHttpClient()
          .sendAsync(request, HttpResponse.BodyHandlers.ofLines()).get(10, TimeUnit.SECONDS);
      assertEquals(200, response.statusCode());
      return new LiveStream(response);
    }

    /** The next {@code job} event about {@code jobId}. */
    JsonNode nextJobEvent(long jobId, Duration timeout) throws Exception {
      long deadline = System.nanoTime() + timeout.toNanos();
      String event = null;
      while (System.nanoTime() < deadline) {
        String line = lines.poll(100, TimeUnit.MILLISECONDS);
        if (line == null) {
          continue;
        }
        if (line.startsWith("event:")) {
          event = line.substring(6).trim();
        } else if (line.startsWith("data:") && "job".equals(event)) {
          JsonNode data = JSON.readTree(line.substring(5));
          if (data.path("jobId").asLong() == jobId) {
            return data;
          }
        }
      }
      throw new AssertionError("no job event about job " + jobId + " within " + timeout);
    }

    @Override
    public void close() {
      response.body().close();
    }
  }
}
