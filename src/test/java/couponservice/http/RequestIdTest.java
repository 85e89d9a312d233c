package couponservice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import couponservice.kafka.Topics;
import couponservice.node.ServiceNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.Eventually;
import couponservice.testkit.KafkaProbe;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** API.md "Running": a request's X-Request-Id, given or generated, is echoed and carried into the events it causes. */
class RequestIdTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static ServiceNode node;
  private static KafkaProbe kafka;
  private static long policyId;

  @BeforeAll
  static void startNode() {
    node = TestNodes.startSingle(database);
    kafka = new KafkaProbe(database);
    policyId = api.createPolicy(node.httpPort(), Map.of("maxIssueCount", 100));
  }

  @AfterAll
  static void stopNode() {
    kafka.close();
    node.close();
  }

  private static Response issue(long userId, String requestId) {
    HttpRequest.Builder request = ApiClient.request(node.httpPort(), "POST", "/api/coupon-policies/" + policyId + "/issue",
        ApiClient.userToken(userId), ApiClient.json(Map.of("userId", userId)));
    if (requestId != null) {
      request.header("X-Request-Id", requestId);
    }
    Response issued = api.send(request.build());
    assertEquals(201, issued.status(), issued.body()::toString);
    return issued;
  }

  private static JsonNode publishedIssue(long couponId) {
    Eventually.await(WAIT, "coupon.issued of coupon " + couponId + " published", () -> issuedEvents(couponId).size() == 1);
    return issuedEvents(couponId).get(0);
  }

  private static List<JsonNode> issuedEvents(long couponId) {
    return kafka.values(Topics.COUPON_ISSUED).stream()
        .filter(event -> event.path("data").path("couponId").asLong() == couponId).toList();
  }

  @Test
  void theRequestIdACallerSendsIsEchoedAndIsTheCorrelationIdOfTheCouponIssuedEvent() {
    Response issued = issue(31, "checkout-7f3a-31");

    assertEquals(List.of("checkout-7f3a-31"), issued.raw().headers().allValues("X-Request-Id"));
    JsonNode event = publishedIssue(issued.longField("couponId"));
    assertEquals("checkout-7f3a-31", event.path("metadata").path("correlationId").asText());
  }

  @Test
  void aRequestWithoutAnIdGetsAGeneratedOneThatIsEchoedAndIsTheEventsCorrelationId() {
    Response issued = issue(32, null);

    String generated = issued.raw().headers().firstValue("X-Request-Id").orElseThrow();
    assertTrue(generated.matches("[A-Za-z0-9_-]{16}"), generated);
    JsonNode event = publishedIssue(issued.longField("couponId"));
    assertEquals(generated, event.path("metadata").path("correlationId").asText());
  }
}
