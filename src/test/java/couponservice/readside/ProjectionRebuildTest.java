package couponservice.readside;

import static org.junit.jupiter.api.Assertions.assertEquals;

import couponservice.node.ServiceNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.Eventually;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import com.typesafe.config.ConfigFactory;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The read projections stopped mid-stream and resumed leave the read tables exactly as a rebuild from
 * the whole journal does (exactly-once: rows and offsets committed together).
 */
class ProjectionRebuildTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();
  private static final int REMOTE_PORT = TestNodes.freePort();

  /** The read tables, in a stable order; statistics summed over the projection slices that wrote them. */
  private static final Map<String, String> READ_TABLES = new LinkedHashMap<>();

  static {
    READ_TABLES.put("coupon_policies", "SELECT * FROM coupon_policies ORDER BY id");
    READ_TABLES.put("coupon_issues", "SELECT * FROM coupon_issues ORDER BY id");
    READ_TABLES.put("coupon_reservations", "SELECT * FROM coupon_reservations ORDER BY reservation_id");
    READ_TABLES.put("daily_statistics", "SELECT stat_date, stat_hour, SUM(total_issued), SUM(total_reserved),"
        + " SUM(total_used), SUM(total_expired) FROM daily_statistics GROUP BY stat_date, stat_hour ORDER BY 1, 2");
    READ_TABLES.put("policy_statistics", "SELECT policy_id, SUM(reserved), SUM(used), SUM(expired), SUM(cancelled),"
        + " SUM(total_discount_amount) FROM policy_statistics GROUP BY policy_id ORDER BY 1");
  }



  private static ServiceNode node() {
    return TestNodes.start(TestNodes.nodeConfig(database, REMOTE_PORT, List.of(), ConfigFactory.empty()));
  }

  /** Every projection tag's newest journal event has been applied by that tag's read projection. */
  private static boolean caughtUp() {
    return database.queryLong("""
        SELECT COUNT(*) FROM (SELECT tag, MAX(event_id) AS newest FROM event_tag
          WHERE tag LIKE 'policy-%' OR tag LIKE 'coupon-%' GROUP BY tag) t
        WHERE NOT EXISTS (SELECT 1 FROM pekko_projection_offset_store o WHERE o.projection_key = t.tag
          AND o.projection_name = CASE WHEN t.tag LIKE 'policy-%' THEN 'policy-read-model' ELSE 'coupon-read-model' END
          AND CAST(o.current_offset AS BIGINT) >= t.newest)""") == 0;
  }

  private static Map<String, List<List<String>>> readTables() {
    Map<String, List<List<String>>> tables = new LinkedHashMap<>();
    READ_TABLES.forEach((table, sql) -> tables.put(table, database.queryRows(sql)));
    return tables;
  }

  /** Reservation and order ids are free text: quotes, commas, braces and backslashes must survive. */
  private static String reservationId(int i) {
    return "RB \"" + i + "\",{\\}";
  }

  private static void traffic(int port) {
    long policyId = api.createPolicy(port, Map.of("distributionType", "DOWNLOAD", "maxIssueCount", 1000,
        "maxIssuePerUser", 3));
    List<Long> users = LongStream.rangeClosed(1, 300).boxed().toList();
    assertEquals(201, api.send(port, "POST", "/api/coupons/direct-issue", ApiClient.adminToken(),
        Map.of("couponPolicyId", policyId, "userIds", users)).status());
    List<Long> coupons = new ArrayList<>();
    for (long user = 1; user <= 40; user++) {
      coupons.add(api.send(port, "POST", "/api/coupon-policies/" + policyId + "/issue", ApiClient.userToken(user),
          Map.of("userId", user)).longField("couponId"));
    }
    for (int i = 0; i < coupons.size(); i++) {
      String reservation = URLEncoder.encode(reservationId(i), StandardCharsets.UTF_8).replace("+", "%20");
      assertEquals(200, api.send(port, "POST", "/api/coupons/reserve", ApiClient.serviceToken(), Map.of(
          "reservationId", reservationId(i), "orderId", "O'" + i + "{NULL}", "userId", i + 1, "couponId", coupons.get(i),
          "orderAmount", 20_000)).status());
      if (i % 4 == 0) {
        assertEquals(200, api.send(port, "POST", "/api/coupons/reservations/" + reservation + "/confirm",
            ApiClient.serviceToken(), Map.of()).status());
      } else if (i % 4 == 1) {
        assertEquals(204, api.send(port, "DELETE", "/api/coupons/apply/" + reservation, ApiClient.serviceToken(), null)
            .status());
      } else if (i % 4 == 2) {
        api.send(port, "POST", "/api/coupons/" + coupons.get(i) + "/cancel", ApiClient.serviceToken(), Map.of());
      }
    }
  }

  @Test
  void resumingMidStreamEndsIdenticalToAFullRebuild() {
    try (ServiceNode node = node()) {
      traffic(node.httpPort());
      // Closed right after the last answer: the projections are still behind the journal.
    }
    Map<String, List<List<String>>> resumed;
    try (ServiceNode node = node()) {
      Eventually.await(Duration.ofSeconds(30), "the read side caught up after the restart", ProjectionRebuildTest::caughtUp);
      resumed = readTables();
    }
    assertEquals(340, resumed.get("coupon_issues").size());
    List<String> statusByRemainder = List.of("CONFIRMED", "CANCELLED", "CANCELLED", "PENDING");
    assertEquals(
        IntStream.range(0, 40)
            .mapToObj(i -> List.of(reservationId(i), "O'" + i + "{NULL}", statusByRemainder.get(i % 4)))
            .sorted(Comparator.comparing((List<String> row) -> row.get(0))).toList(),
        database.queryRows("SELECT reservation_id, order_id, status FROM coupon_reservations").stream()
            .sorted(Comparator.comparing((List<String> row) -> row.get(0))).toList());

    database.execute("DELETE FROM coupon_policies; DELETE FROM coupon_issues; DELETE FROM coupon_reservations;"
        + " DELETE FROM daily_statistics; DELETE FROM policy_statistics;"
        + " DELETE FROM pekko_projection_offset_store WHERE projection_name LIKE '%-read-model'");
    try (ServiceNode node = node()) {
      Eventually.await(Duration.ofSeconds(30), "the read side rebuilt from the journal", ProjectionRebuildTest::caughtUp);
      assertEquals(resumed, readTables());
    }
  }
}
