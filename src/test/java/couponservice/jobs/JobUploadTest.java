package couponservice.jobs;

import static couponservice.testkit.ApiAssertions.assertErrorBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import couponservice.node.ServiceNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
 * A job submission's body over a slow link, sent through a raw socket at a set pace: one that takes longer than the
 * other endpoints' limits (the 5 s ask timeout, the server's 10 s request timeout) arrives within the submission's
 * own upload timeout and starts its job; one that stalls is refused 400 at that timeout and starts nothing; a body of
 * another endpoint is refused at the ask timeout, as before.
 */
class JobUploadTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();
  private static final JobApi jobs = new JobApi(api);
  /** Short, so that the stalled upload is refused soon, and longer than the paced upload. */
  private static final Duration UPLOAD_TIMEOUT = Duration.ofSeconds(16);
  /** Longer than the ask timeout and the server's request timeout, which used to bound an upload. */
  private static final Duration SLOW_UPLOAD = Duration.ofSeconds(12);
  private static final int USERS = 20_000;

  private static ServiceNode node;
  private static int port;

  @BeforeAll
  static void start() {
    node = TestNodes.start(TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(),
        ConfigFactory.parseMap(Map.of("coupon.jobs.upload-timeout", UPLOAD_TIMEOUT.toSeconds() + "s"))));
    port = node.httpPort();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static byte[] csv(int users) {
    return ("userId\n" + LongStream.rangeClosed(1, users).mapToObj(Long::toString).collect(Collectors.joining("\n"))
        + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  private static long jobJournalRows() {
    return database.queryLong("SELECT count(*) FROM event_journal WHERE persistence_id LIKE 'IssuanceJob|%'");
  }

  @Test
  void aCsvFileSentSlowerThanTheOtherLimitsIsAcceptedAndItsJobCompletes() throws Exception {
    long policyId = api.createPolicy(port, Map.of("distributionType", "DIRECT", "maxIssueCount", USERS));
    long started = System.nanoTime();
    Response response = Upload.of(port, "/api/issuance-jobs?couponPolicyId=" + policyId + "&name=Slow", "text/csv",
        csv(USERS)).paced(SLOW_UPLOAD, 60).send();
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertEquals(202, response.status(), response.body()::toString);
    assertTrue(took.compareTo(SLOW_UPLOAD) >= 0, "the body took " + took);
    JsonNode job = jobs.ended(port, response.longField("jobId"), Duration.ofSeconds(60));
    assertEquals("COMPLETED", job.path("status").asText(), job::toString);
    assertEquals(USERS, job.path("successCount").asLong(), job::toString);
  }

  @Test
  void aBodyThatStallsIsRefusedAtTheUploadTimeoutAndStartsNothing() throws Exception {
    long policyId = api.createPolicy(port, Map.of("distributionType", "DIRECT", "maxIssueCount", USERS));
    long journalRows = jobJournalRows();
    byte[] body = csv(USERS);
    long started = System.nanoTime();
    Response response = Upload.of(port, "/api/issuance-jobs?couponPolicyId=" + policyId, "text/csv", body)
        .stallingAfter(body.length / 2).send();
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertErrorBody(response, 400, "VALIDATION_FAILED");
    assertTrue(response.body().path("message").asText().contains("did not arrive within 16 s"),
        response.body()::toString);
    assertTrue(took.compareTo(UPLOAD_TIMEOUT) >= 0, "refused after " + took);
    assertEquals(journalRows, jobJournalRows(), "no job was started");
    assertEquals(0, api.send(port, "GET", "/api/coupon-policies/" + policyId, JobApi.ADMIN, null)
        .longField("currentIssueCount"));
  }

  @Test
  void otherEndpointsKeepTheirShortLimit() throws Exception {
    long policyId = api.createPolicy(port, Map.of("distributionType", "DIRECT", "maxIssueCount", 10));
    byte[] body = ApiClient.json(Map.of("couponPolicyId", policyId, "userIds", List.of(1, 2, 3)))
        .getBytes(StandardCharsets.UTF_8);
    long started = System.nanoTime();
    Response response = Upload.of(port, "/api/coupons/direct-issue", "application/json", body)
        .stallingAfter(body.length / 2).send();
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertErrorBody(response, 400, "VALIDATION_FAILED");
    assertTrue(response.body().path("message").asText().contains("did not arrive within 5 s"),
        response.body()::toString);
    assertTrue(took.compareTo(UPLOAD_TIMEOUT) < 0, "refused after " + took);
    assertEquals(0, api.send(port, "GET", "/api/coupon-policies/" + policyId, JobApi.ADMIN, null)
        .longField("currentIssueCount"));
  }

  /** A POST whose body goes out over a raw socket in slices at a set pace, as over a slow link, or stalls. */
  private record Upload(int port, String path, String contentType, byte[] body, int bytesToSend, Duration over,
      int slices) {
    static Upload of(int port, String path, String contentType, byte[] body) {
      return new Upload(port, path, contentType, body, body.length, Duration.ZERO, 1);
    }

    /** The whole body, in {@code slices} slices spread evenly over {@code over}. */
    Upload paced(Duration over, int slices) {
      return new Upload(port, path, contentType, body, body.length, over, slices);
    }

    /** The first {@code bytes} of the body (of the length the request declares), then nothing. */
    Upload stallingAfter(int bytes) {
      return new Upload(port, path, contentType, body, bytes, Duration.ZERO, 1);
    }

    /** Sends the request and reads the answer until the server closes the connection. */
    Response send() throws IOException, InterruptedException {
      try (Socket socket = new Socket("127.0.0.1", port)) {
        socket.setSoTimeout((int) Duration.ofSeconds(60).toMillis());
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + JobApi.ADMIN
            + "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + body.length
            + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        for (int slice = 0; slice < slices; slice++) {
          int from = (int) ((long) bytesToSend * slice / slices);
          int to = (int) ((long) bytesToSend * (slice + 1) / slices);
          out.write(body, from, to - from);
          out.flush();
          // The pace of the simulated link, not a wait for the server.
          Thread.sleep(over.toMillis() / slices);
        }
        return ApiClient.parseRaw(new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      }
    }
  }
}
