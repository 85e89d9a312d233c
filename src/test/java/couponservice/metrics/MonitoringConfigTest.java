package couponservice.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring the repository ships (monitoring/: Prometheus alert rules and configuration, the Grafana dashboard)
 * is valid for Prometheus and uses only metric names a running node serves.
 */
class MonitoringConfigTest {
  @RegisterExtension
  static final ApiClient api = new ApiClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path PROMETHEUS = Path.of("monitoring", "prometheus");
  private static final Path DASHBOARDS = Path.of("monitoring", "grafana", "dashboards");
  /** Series Prometheus makes itself for every target, not served by /metrics. */
  private static final Set<String> MADE_BY_PROMETHEUS = Set.of("up");
  private static final Set<String> PROMQL_WORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
      "on", "ignoring", "group_left", "group_right", "inf", "nan");
  private static final Pattern IDENTIFIER = Pattern.compile("(?<![a-zA-Z0-9_:.])[a-zA-Z_:][a-zA-Z0-9_:]*+(?!\\s*\\()");

  private static TestDatabase database;
  private static KafkaProbe kafka;
  private static ServiceNode node;

  /** One node with enough traffic for every series to exist (see {@link #exercise}). */
  @BeforeAll
  static void startNode() {
    database = TestDatabase.create();
    kafka = new KafkaProbe(database);
    node = TestNodes.start(TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(),
        ConfigFactory.parseMap(Map.of(
            "coupon.rate-limit.enabled", true,
            "coupon.rate-limit.backend", "local",
            "coupon.rate-limit.per-minute", 1,
            "coupon.lifecycle.reservation-timeout", "2s"))));
    exercise(node.httpPort(), kafka);
  }

  @AfterAll
  static void stopNode() {
    node.close();
    kafka.close();
    database.close();
  }

  @Test
  void theAlertRulesAndThePrometheusConfigurationPassPromtool() {
    // `promtool check config` checks the rule files the configuration names (alerts.yml) as well.
    String output = promtool("check", "config", PROMETHEUS.resolve("prometheus.yml").toString());
    assertTrue(output.contains("SUCCESS: 12 rules found"), output);
  }

  @Test
  void theDashboardsQueriesAreValidPromQl(@TempDir Path dir) throws IOException {
    // promtool has no command for a bare expression: each query becomes a recording rule, Grafana's
    // $__rate_interval a fixed range.
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    List<String> queries = dashboardQueries();
    for (int i = 0; i < queries.size(); i++) {
      rules.append("      - record: dashboard_query_").append(i).append("\n        expr: ")
          .append(JSON.writeValueAsString(queries.get(i).replace("$__rate_interval", "1m"))).append('\n');
    }
    Path file = dir.resolve("dashboard-queries.yml");
    Files.writeString(file, rules);
    String output = promtool("check", "rules", file.toString());
    assertTrue(output.contains("SUCCESS: " + queries.size() + " rules found"), output);
  }

  @Test
  void everyMetricTheAlertsAndTheDashboardUseIsServedByANode() throws IOException {
    Set<String> used = new TreeSet<>();
    alertExpressions().forEach(expr -> used.addAll(metricNames(expr)));
    dashboardQueries().forEach(expr -> used.addAll(metricNames(expr)));
    used.removeAll(MADE_BY_PROMETHEUS);
    assertTrue(used.size() > 20, "the names were found in the expressions: " + used);

    Set<String> missing = new TreeSet<>();
    try {
      Eventually.await(Duration.ofSeconds(60), "every series the monitoring uses served", () -> {
        missing.clear();
        missing.addAll(used);
        missing.removeAll(servedNames(node.httpPort()));
        return missing.isEmpty();
      });
    } catch (AssertionError timedOut) {
      assertEquals(Set.of(), missing, "names the monitoring uses that /metrics does not serve");
    }
  }

  @Test
  void theNodesFiguresAreThoseOfTheNode() {
    int port = node.httpPort();
    Eventually.await(Duration.ofSeconds(30), "the figures of a one-node cluster and its pools", () -> {
      String scrape = api.text(port, "/metrics");
      return scrape.contains("pekko_cluster_members{status=\"up\"} 1.0")
          && scrape.contains("pekko_cluster_unreachable_members 0.0")
          && scrape.contains("hikaricp_connections_max{pool=\"journal\"} 8.0")
          && scrape.contains("hikaricp_connections_max{pool=\"read-model\"} 8.0")
          && scrape.contains("pekko_sharding_region_entities{entity_type=\"CouponPolicy\"} ");
    });
    long policy = api.createPolicy(port, Map.of("maxIssueCount", 3));
    String remaining = "coupon_policy_remaining{policy=\"" + policy + "\"} ";
    assertEquals(201, api.issue(port, policy, 61, null).status());
    Eventually.await(Duration.ofSeconds(30), "the policy's remaining stock",
        () -> api.text(port, "/metrics").contains(remaining + "2.0"));
    assertEquals(200, api.send(port, "POST", "/api/coupon-policies/" + policy + "/deactivate", ApiClient.adminToken(),
        null).status());
    Eventually.await(Duration.ofSeconds(30), "a deactivated policy's series gone",
        () -> !api.text(port, "/metrics").contains(remaining));
  }

  /** Enough traffic for every series to exist: issues, a rate-limit refusal, a 404, a timed-out reservation, a dead letter. */
  private static void exercise(int port, KafkaProbe kafka) {
    long policy = api.createPolicy(port, Map.of("maxIssueCount", 10));
    Response issued = api.issue(port, policy, 51, null);
    assertEquals(201, issued.status(), issued.body()::toString);
    assertEquals(429, api.issue(port, policy, 51, null).status(), "the second issue in a minute is refused");
    assertEquals(404, api.send(port, "GET", "/api/nothing-here", null, null).status());
    long coupon = issued.longField("couponId");
    Response reserved = api.send(port, "POST", "/api/coupons/reserve", ApiClient.serviceToken(), Map.of(
        "reservationId", "R-MON", "userId", 51, "couponId", coupon, "orderAmount", 50_000, "orderId", "O-MON"));
    assertEquals(200, reserved.status(), reserved.body()::toString);
    kafka.produce(Topics.PAYMENT_COMPLETED, "poison", "not a payment");
  }

  /** The metric names of a scrape, as Prometheus stores them (with _bucket, _count, _sum, _total). */
  private static Set<String> servedNames(int port) {
    Set<String> names = new TreeSet<>();
    for (String line : api.text(port, "/metrics").split("\n")) {
      if (!line.isEmpty() && !line.startsWith("#")) {
        names.add(line.split("[{ ]", 2)[0]);
      }
    }
    return names;
  }

  /** The metric names in a PromQL expression: identifiers outside strings, label matchers, ranges and grouping. */
  static Set<String> metricNames(String expr) {
    String bare = expr
        .replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
        .replaceAll("\\{[^}]*}", " ")
        .replaceAll("\\[[^]]*]", " ")
        .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
        .replaceAll("\\$\\w+", " ");
    Set<String> names = new TreeSet<>();
    Matcher identifier = IDENTIFIER.matcher(bare);
    while (identifier.find()) {
      if (!PROMQL_WORDS.contains(identifier.group().toLowerCase())) {
        names.add(identifier.group());
      }
    }
    return names;
  }

  @Test
  void metricNamesAreFoundWhereverPromQlPutsThem() {
    assertEquals(Set.of("a_bucket", "b_total", "c"), metricNames("histogram_quantile(0.99, sum by (le, route) "
        + "(rate(a_bucket{route=~\"/x/\\\\{id\\\\}|y\"}[5m]))) / on (route) group_left b_total > bool 0 and c offset 5m"));
  }

  /** Every {@code expr} of alerts.yml, single-line or a {@code |} block. */
  private static List<String> alertExpressions() throws IOException {
    List<String> expressions = new ArrayList<>();
    List<String> lines = Files.readAllLines(PROMETHEUS.resolve("alerts.yml"));
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.startsWith("expr: |")) {
        int indent = lines.get(i).indexOf("expr:");
        StringBuilder block = new StringBuilder();
        while (i + 1 < lines.size() && (lines.get(i + 1).isBlank() || indentOf(lines.get(i + 1)) > indent)) {
          block.append(lines.get(++i).strip()).append(' ');
        }
        expressions.add(block.toString());
      } else if (line.startsWith("expr:")) {
        expressions.add(line.substring("expr:".length()).strip());
      }
    }
    assertTrue(expressions.size() >= 12, "the alert expressions were read: " + expressions);
    return expressions;
  }

  private static int indentOf(String line) {
    return line.length() - line.stripLeading().length();
  }

  private static List<String> dashboardQueries() throws IOException {
    List<String> queries = new ArrayList<>();
    try (var files = Files.list(DASHBOARDS)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
        JSON.readTree(file.toFile()).findValues("expr").forEach(expr -> queries.add(expr.asText()));
      }
    }
    assertTrue(queries.size() > 20, "the dashboard's queries were read: " + queries.size());
    return queries;
  }

  /** promtool's output; the test is skipped, saying why, where it is not installed. */
  private static String promtool(String... arguments) {
    List<String> command = new ArrayList<>(List.of("promtool"));
    command.addAll(List.of(arguments));
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException notInstalled) {
      assumeTrue(false, "promtool is not installed (Debian package prometheus, which .ci/run installs): "
          + "the monitoring rules are not checked");
      throw new IllegalStateException(notInstalled);
    }
    try {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(process.waitFor(60, TimeUnit.SECONDS), "promtool finished");
      assertEquals(0, process.exitValue(), output);
      return output;
    } catch (IOException e) {
      throw new AssertionError("promtool's output could not be read", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while promtool ran", e);
    }
  }
}
