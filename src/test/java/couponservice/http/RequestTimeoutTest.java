package couponservice.http;

import static couponservice.testkit.ApiAssertions.assertErrorBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import couponservice.node.ServiceNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A request that outlives the server's request timeout is answered with the contract's 503 (error body, Retry-After,
 * its X-Request-Id), not the HTTP server's own plain-text answer.
 */
class RequestTimeoutTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();

  @Test
  void aRequestHeldUpPastTheRequestTimeoutGetsTheContracts503() throws Exception {
    try (ServiceNode node = TestNodes.start(TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(),
        ConfigFactory.parseMap(Map.of("pekko.http.server.request-timeout", "1s"))))) {
      int port = node.httpPort();
      api.createPolicy(port, Map.of("maxIssueCount", 10));
      HttpRequest list = ApiClient.request(port, "GET", "/api/coupon-policies", ApiClient.adminToken(), null)
          .header("X-Request-Id", "held-up-1").build();
      try (Connection lock = database.connect(); Statement statement = lock.createStatement()) {
        // The policy list's query waits for this lock, longer than the 1 s the server gives a request.
        lock.setAutoCommit(false);
        statement.execute("LOCK TABLE coupon_policies IN ACCESS EXCLUSIVE MODE");
        Response heldUp = api.send(list);
        assertErrorBody(heldUp, 503, "SERVICE_UNAVAILABLE");
        assertEquals("held-up-1", heldUp.raw().headers().firstValue("X-Request-Id").orElse(null));
        assertTrue(heldUp.raw().headers().firstValue("Retry-After").isPresent(), "Retry-After is set");
        lock.rollback();
      }
      assertEquals(200, api.send(list).status(), "answered again once the lock is gone");
    }
  }
}
