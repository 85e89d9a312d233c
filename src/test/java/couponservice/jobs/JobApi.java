package couponservice.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.Eventually;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/** The bulk job endpoints as the tests call them: real HTTP through {@link ApiClient}, as an admin. */
final class JobApi {
  static final String ADMIN = ApiClient.adminToken();

  private final ApiClient api;

  JobApi(ApiClient api) {
    this.api = api;
  }

  /** A JSON submission of users {@code from..to}. */
  Response submit(int port, long policyId, long from, long to, String name) {
    return api.send(submission(port, policyId, from, to, name, ADMIN, null));
  }

  /** A JSON submission of users {@code from..to} by {@code token}, with an Idempotency-Key unless it is null. */
  static HttpRequest submission(int port, long policyId, long from, long to, String name, String token,
      String idempotencyKey) {
    String users = LongStream.rangeClosed(from, to).mapToObj(Long::toString).collect(Collectors.joining(","));
    HttpRequest.Builder request = submissionRequest(port, "{\"couponPolicyId\":" + policyId + ",\"name\":\"" + name
        + "\",\"issuedBy\":\"crm\",\"userIds\":[" + users + "]}", token);
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    return request.build();
  }

  Response submitJson(int port, String body, String token) {
    return api.send(submissionRequest(port, body, token).build());
  }

  private static HttpRequest.Builder submissionRequest(int port, String body, String token) {
    return ApiClient.request(port, "POST", "/api/issuance-jobs", token, body).timeout(Duration.ofSeconds(60));
  }

  /** A CSV submission; {@code query} without the leading {@code ?}. */
  Response submitCsv(int port, String query, String csv) {
    return api.send(ApiClient.request(port, "POST", "/api/issuance-jobs?" + query, ADMIN, null)
        .POST(HttpRequest.BodyPublishers.ofString(csv)).header("Content-Type", "text/csv")
        .timeout(Duration.ofSeconds(60)).build());
  }

  /** A 202's job id, after checking the answer. */
  static long started(Response response) {
    assertEquals(202, response.status(), () -> response.raw().body());
    long jobId = response.longField("jobId");
    assertEquals("/api/issuance-jobs/" + jobId, response.raw().headers().firstValue("Location").orElse(null));
    return jobId;
  }

  JsonNode job(int port, long jobId) {
    Response response = api.send(port, "GET", "/api/issuance-jobs/" + jobId, ADMIN, null);
    assertEquals(200, response.status(), () -> response.raw().body());
    return response.body();
  }

  /** Waits until the job is no longer RUNNING and answers it. */
  JsonNode ended(int port, long jobId, Duration timeout) {
    JsonNode[] last = new JsonNode[1];
    Eventually.await(timeout, "job " + jobId + " ended", () -> {
      last[0] = job(port, jobId);
      return !last[0].path("status").asText().equals("RUNNING");
    });
    return last[0];
  }

  Response get(int port, String path) {
    return api.send(port, "GET", path, ADMIN, null);
  }

  Response post(int port, String path) {
    return api.send(port, "POST", path, ADMIN, null);
  }

  /** The job's counts hold together: processed = success + failures, and failures = the sum of the codes. */
  static void assertConsistent(JsonNode job) {
    long failuresByCode = 0;
    for (JsonNode count : job.path("failuresByCode")) {
      failuresByCode += count.asLong();
    }
    assertEquals(job.path("failureCount").asLong(), failuresByCode, job::toString);
    assertEquals(job.path("processed").asLong(), job.path("successCount").asLong() + job.path("failureCount").asLong(),
        job::toString);
  }
}
