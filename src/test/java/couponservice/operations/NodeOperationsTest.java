package couponservice.operations;

import static couponservice.testkit.TestNodes.management;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import couponservice.node.ServiceNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.Eventually;
import couponservice.testkit.Hammer;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The management endpoint's probes, and the graceful leave SIGTERM triggers (coordinated shutdown). */
class NodeOperationsTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();

  private static ServiceNode node(int remotePort, int seedPort) {
    return TestNodes.start(TestNodes.nodeConfig(database, remotePort, List.of(seedPort), ConfigFactory.empty()));
  }

  private static long upMembers(ServiceNode node) {
    return StreamSupport.stream(Cluster.get(node.system()).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up()).count();
  }

  @Test
  void readyOnlyAfterJoiningThenLeavesGracefullyAnsweringWhatIsInFlight() {
    int seedPort = TestNodes.freePort();
    try (ServiceNode second = node(TestNodes.freePort(), seedPort)) {
      // Its seed is not running yet: alive, but not ready.
      assertEquals(200, management(second, "/alive").statusCode());
      // pekko-management answers a failed check with 500 and names it.
      HttpResponse<String> notReady = management(second, "/ready");
      assertEquals(500, notReady.statusCode());
      assertTrue(notReady.body().contains("ClusterMembershipCheck"), notReady.body());

      try (ServiceNode first = node(seedPort, seedPort)) {
        TestNodes.awaitReady(List.of(second, first), Duration.ofSeconds(30));
        HttpResponse<String> members = management(second, "/cluster/members");
        assertEquals(200, members.statusCode());
        assertEquals(2, members.body().split("\"status\":\"Up\"", -1).length - 1, members.body());

        long policyId = api.createPolicy(first.httpPort(), Map.of("maxIssueCount", 100_000, "distributionType",
            "FIRST_COME"));
        int[] ports = {first.httpPort(), second.httpPort()};
        CompletableFuture<Hammer.Results> issuing = CompletableFuture.supplyAsync(() ->
            Hammer.sendTolerating(api, 3_000, 100, i -> { }, i -> ApiClient.request(ports[i % 2], "POST",
                "/api/coupon-policies/" + policyId + "/issue", ApiClient.userToken(200_000 + i),
                ApiClient.json(Map.of("userId", 200_000 + i))).build()));
        Eventually.await(Duration.ofSeconds(30), "issuance under way", () -> database.queryLong(
            "SELECT count(*) FROM event_journal WHERE persistence_id = 'CouponPolicy|" + policyId + "'") > 2);
        // What SIGTERM runs: the JVM shutdown hook starts coordinated shutdown.
        CoordinatedShutdown.get(second.system()).runAll(CoordinatedShutdown.jvmExitReason())
            .toCompletableFuture().join();

        Hammer.Results results = issuing.join();
        assertEquals(1, upMembers(first), "the leaving node was removed, not left unreachable");
        assertEquals(200, management(first, "/ready").statusCode());
        List<Response> created = results.responses().stream().filter(r -> r.status() == 201).toList();
        assertTrue(results.responses().stream().allMatch(r -> r.status() == 201 || r.status() == 503),
            "answers were issued coupons or retryable refusals");
        long issued = api.send(first.httpPort(), "GET", "/api/coupon-policies/" + policyId, ApiClient.adminToken(), null)
            .longField("currentIssueCount");
        assertTrue(issued >= created.size() && issued <= created.size() + results.unanswered()
            + results.responses().stream().filter(r -> r.status() == 503).count(),
            "issued " + issued + ", acknowledged " + created.size() + ", unanswered " + results.unanswered());
        assertTrue(created.size() > 1_500, "the surviving node kept issuing: " + created.size());
      }
    }
  }

  @Test
  void threeNodesStartingTogetherOnANewDatabaseCreateTheSchemaOnce() {
    // Threads of their own, like the main threads of three JVMs (startup blocks on each step).
    ExecutorService mains = Executors.newFixedThreadPool(3);
    try (TestDatabase fresh = TestDatabase.create()) {
      List<Integer> remotePorts = List.of(TestNodes.freePort(), TestNodes.freePort(), TestNodes.freePort());
      List<CompletableFuture<ServiceNode>> starting = remotePorts.stream().map(port -> CompletableFuture.supplyAsync(() ->
          TestNodes.start(TestNodes.nodeConfig(fresh, port, List.of(remotePorts.get(0)), ConfigFactory.empty())), mains))
          .toList();
      List<ServiceNode> nodes = starting.stream().map(CompletableFuture::join).toList();
      try {
        Eventually.await(Duration.ofSeconds(30), "three members Up", () -> upMembers(nodes.get(0)) == 3);
        TestNodes.awaitReady(nodes, Duration.ofSeconds(60));
        assertTrue(api.createPolicy(nodes.get(2).httpPort(), Map.of()) > 0);
      } finally {
        nodes.forEach(ServiceNode::close);
      }
    } finally {
      mains.shutdown();
    }
  }

  @Test
  void aNodeJoiningRunningOnesWaitsForNoneOfTheirWrites() throws Exception {
    int seedPort = TestNodes.freePort();
    try (ServiceNode first = node(seedPort, seedPort); Connection writer = database.connect()) {
      TestNodes.awaitReady(List.of(first), Duration.ofSeconds(30));
      // Writes in flight on every table the running node writes, as its journal and projections keep them.
      writer.setAutoCommit(false);
      try (Statement statement = writer.createStatement()) {
        statement.execute("LOCK TABLE event_journal, event_tag, snapshot, durable_state, coupon_policies, coupon_issues,"
            + " coupon_reservations, daily_statistics, policy_statistics, pekko_projection_offset_store,"
            + " pekko_projection_management IN ROW EXCLUSIVE MODE");
      }
      CompletableFuture<ServiceNode> joining = CompletableFuture.supplyAsync(() -> node(TestNodes.freePort(), seedPort));
      ServiceNode second;
      try {
        second = joining.get(60, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        writer.rollback();
        joining.thenAccept(ServiceNode::close);
        throw new AssertionError("the joining node's start waited for the running node's writes", e);
      }
      writer.rollback();
      try (second) {
        TestNodes.awaitReady(List.of(first, second), Duration.ofSeconds(30));
      }
    }
  }

  @Test
  void aBadDiscoverySettingStopsStartupWithOneClearLine() {
    Config bad = ConfigFactory.parseMap(Map.of("coupon.discovery.method", "dns"));
    IllegalStateException failure = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () ->
        TestNodes.start(TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(), bad)));
    assertEquals("COUPON_DISCOVERY must be one of seed-nodes, config, kubernetes-api, not dns", failure.getMessage());
  }
}
