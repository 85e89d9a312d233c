package couponservice.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.Eventually;
import couponservice.testkit.ServiceProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** What a node writes to its console, run as in production: java couponservice.node.Main with conf/logback.xml. */
class ServiceLogsTest {
  @RegisterExtension
  static final ApiClient api = new ApiClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START = Duration.ofSeconds(90);
  private static final Pattern TEXT_LINE = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (TRACE|DEBUG|INFO|WARN|ERROR) .*");
  /** A text line at INFO or below, and its logger (abbreviated as the pattern has it). */
  private static final Pattern INFO_LINE = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (?:TRACE|DEBUG|INFO) +(\\S+) .*");
  private static final Pattern KEPT_INFO = Pattern.compile("o\\.a\\.p\\.c\\.Cluster|o\\.a\\.p\\.c\\.s\\.SplitBrainResolver|c\\..*|couponservice\\..*");
  private static final Pattern ISO_UTC = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,3})?Z");

  @Test
  void withJsonLogsEveryLogLineIsOneObjectAndTheLinesOfARequestCarryItsId(@TempDir Path data) throws IOException {
    try (ServiceProcess node = ServiceProcess.startDev("json-logs", data,
        Map.of("COUPON_LOG_FORMAT", "json", "COUPON_ACCESS_LOG", "on"))) {
      node.awaitReady(START);
      Response missing = api.send(ApiClient.request(node.httpPort(), "GET", "/api/coupon-policies/987654321",
          ApiClient.adminToken(), null).header("X-Request-Id", "json-log-trace-1").build());
      assertEquals(404, missing.status());

      Eventually.await(Duration.ofSeconds(10), "the request's access log line",
          () -> accessLine(jsonLines(node), "json-log-trace-1").isPresent());
      JsonNode access = accessLine(jsonLines(node), "json-log-trace-1").orElseThrow();
      assertEquals("GET", access.path("method").asText());
      assertEquals("/api/coupon-policies/{policyId}", access.path("route").asText());
      assertEquals(404, access.path("status").asInt());
      assertTrue(access.path("durationMs").isNumber(), access.toString());

      List<JsonNode> lines = jsonLines(node);
      for (JsonNode line : lines) {
        assertTrue(ISO_UTC.matcher(line.path("timestamp").asText()).matches(), line.toString());
        assertTrue(line.path("level").asText().matches("TRACE|DEBUG|INFO|WARN|ERROR"), line.toString());
        assertTrue(line.hasNonNull("logger") && line.hasNonNull("message"), line.toString());
      }
      assertTrue(lines.stream().anyMatch(line -> line.path("message").asText()
              .equals("coupon-service (dev) listening on http://127.0.0.1:" + node.httpPort())),
          "the start's last lines are JSON lines too");
      for (String line : node.logText().split("\n")) {
        if (TEXT_LINE.matcher(line).matches()) {
          fail("a text log line among the JSON lines: " + line);
        }
      }
    }
  }

  @Test
  void aDevStartEndsWithTheUrlAndTheTokenAfterWhichLibrariesLogOnlyWarnings(@TempDir Path data) {
    try (ServiceProcess node = ServiceProcess.startDev("quiet-start", data)) {
      node.awaitReady(START);
      // The Kafka consumers have their partitions once the consumer group's lag is reported.
      Eventually.await(Duration.ofSeconds(30), "the consumers running", 
          () -> api.text(node.httpPort(), "/metrics").contains("kafka_consumer_lag_records{"));

      List<String> lines = List.of(node.logText().split("\n"));
      int url = lines.indexOf("coupon-service (dev) listening on http://127.0.0.1:" + node.httpPort());
      assertTrue(url >= 0, "the URL line: " + lines);
      assertTrue(lines.get(url + 1).startsWith("dev ADMIN token (30 days): ey"), lines.get(url + 1));
      assertTrue(url < 30, "a start of a few lines, not hundreds: " + url + " lines before the URL");
      for (String line : lines) {
        Matcher info = INFO_LINE.matcher(line);
        if (info.matches() && !KEPT_INFO.matcher(info.group(1)).matches()) {
          fail("a library's INFO line (only cluster membership and the service's own are kept): " + line);
        }
      }
      for (String line : lines.subList(url + 2, lines.size())) {
        if (INFO_LINE.matcher(line).matches()) {
          fail("after the token, only warnings and errors: " + line);
        }
      }
    }
  }

  private static Optional<JsonNode> accessLine(List<JsonNode> lines, String requestId) {
    return lines.stream().filter(line -> line.path("logger").asText().equals("couponservice.access")
        && requestId.equals(line.path("requestId").asText())).findFirst();
  }

  /** The lines of the node's output that are JSON objects (the JVM itself may print warnings of its own). */
  private static List<JsonNode> jsonLines(ServiceProcess node) {
    List<JsonNode> objects = new ArrayList<>();
    for (String line : node.logText().split("\n")) {
      if (line.startsWith("{")) {
        try {
          objects.add(JSON.readTree(line));
        } catch (IOException e) {
          throw new AssertionError("not one JSON object: " + line, e);
        }
      }
    }
    return objects;
  }
}
