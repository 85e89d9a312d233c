package couponservice.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

class JsonLogEncoderTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final LoggerContext context = new LoggerContext();

  private static JsonNode encode(LoggingEvent event) throws Exception {
    String line = new String(new JsonLogEncoder().encode(event), StandardCharsets.UTF_8);
    assertTrue(line.endsWith("\n"), "one line, ended");
    assertFalse(line.substring(0, line.length() - 1).contains("\n"), "exactly one line: " + line);
    return JSON.readTree(line);
  }

  @Test
  void aLineOfARequestHasTheContractsFieldsAndTheStackTraceAsOneString() throws Exception {
    LoggingEvent event = new LoggingEvent("test", context.getLogger("couponservice.http.Responses"), Level.ERROR,
        "Request failed for \"{}\"", new IllegalStateException("boom\nsecond line"), new Object[] {"coupon 7"});
    event.setMDCPropertyMap(Map.of("requestId", "req-42", "pekkoSource", "pekko://coupon-service/user"));

    JsonNode line = encode(event);

    assertTrue(line.path("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,3})?Z"),
        line.path("timestamp").asText());
    assertEquals("ERROR", line.path("level").asText());
    assertEquals("couponservice.http.Responses", line.path("logger").asText());
    assertEquals("Request failed for \"coupon 7\"", line.path("message").asText());
    assertEquals("req-42", line.path("requestId").asText());
    String exception = line.path("exception").asText();
    assertTrue(exception.startsWith("java.lang.IllegalStateException: boom\nsecond line\n\tat "), exception);
    assertTrue(exception.contains("JsonLogEncoderTest"), "the stack trace's frames: " + exception);
    assertEquals("pekko://coupon-service/user", line.path("pekkoSource").asText(), "other MDC entries follow");
  }

  @Test
  void aLineOutsideARequestHasNoRequestIdNorExceptionAndKeepsKeyValuePairsTyped() throws Exception {
    LoggingEvent event = new LoggingEvent("test", context.getLogger("couponservice.access"), Level.INFO,
        "GET /health 200", null, null);
    event.setMDCPropertyMap(Map.of());
    event.addKeyValuePair(new KeyValuePair("status", 200));
    event.addKeyValuePair(new KeyValuePair("durationMs", 1.5));
    event.addKeyValuePair(new KeyValuePair("route", "/health"));
    event.addKeyValuePair(new KeyValuePair("level", "would overwrite"));

    JsonNode line = encode(event);

    assertFalse(line.has("requestId"));
    assertFalse(line.has("exception"));
    assertEquals("INFO", line.path("level").asText(), "a pair cannot replace a field of the contract");
    assertEquals(200, line.path("status").asInt());
    assertTrue(line.path("status").isIntegralNumber());
    assertEquals(1.5, line.path("durationMs").asDouble());
    assertEquals("/health", line.path("route").asText());
  }
}
