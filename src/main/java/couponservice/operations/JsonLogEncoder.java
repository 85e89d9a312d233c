package couponservice.operations;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.event.KeyValuePair;

/**
 * The log format {@code COUPON_LOG_FORMAT=json} selects (conf/logback.xml): one JSON object per line with the
 * fields API.md names — {@code timestamp} (ISO-8601 UTC), {@code level}, {@code logger}, {@code message},
 * {@code requestId} where the line belongs to a request, {@code exception} (the stack trace as one string) — then
 * {@code thread}, the line's other MDC entries and its key-value pairs (the access log's method, route, status and
 * durationMs). Logback's own JsonEncoder nests the MDC and writes the exception as an object, under other names,
 * so the service brings this encoder, on logback's documented Encoder extension point.
 */
public final class JsonLogEncoder extends EncoderBase<ILoggingEvent> {
  private static final JsonFactory JSON = new JsonFactory();
  private static final String REQUEST_ID = "requestId";
  private static final Set<String> FIXED = Set.of("timestamp", "level", "logger", "message", REQUEST_ID,
      "exception", "thread");

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    try (JsonGenerator json = JSON.createGenerator(line)) {
      json.writeStartObject();
      json.writeStringField("timestamp", event.getInstant().truncatedTo(ChronoUnit.MILLIS).toString());
      json.writeStringField("level", event.getLevel().toString());
      json.writeStringField("logger", event.getLoggerName());
      json.writeStringField("message", event.getFormattedMessage());
      Map<String, String> mdc = event.getMDCPropertyMap();
      if (mdc.containsKey(REQUEST_ID)) {
        json.writeStringField(REQUEST_ID, mdc.get(REQUEST_ID));
      }
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown != null) {
        json.writeStringField("exception", ThrowableProxyUtil.asString(thrown));
      }
      json.writeStringField("thread", event.getThreadName());
      Set<String> written = new HashSet<>(FIXED);
      for (Map.Entry<String, String> entry : mdc.entrySet()) {
        if (written.add(entry.getKey())) {
          json.writeStringField(entry.getKey(), entry.getValue());
        }
      }
      List<KeyValuePair> pairs = event.getKeyValuePairs();
      if (pairs != null) {
        for (KeyValuePair pair : pairs) {
          if (written.add(pair.key)) {
            json.writeFieldName(pair.key);
            writeValue(json, pair.value);
          }
        }
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    line.write('\n');
    return line.toByteArray();
  }

  private static void writeValue(JsonGenerator json, Object value) throws IOException {
    if (value instanceof Integer || value instanceof Long) {
      json.writeNumber(((Number) value).longValue());
    } else if (value instanceof Number number) {
      json.writeNumber(number.doubleValue());
    } else if (value instanceof Boolean flag) {
      json.writeBoolean(flag);
    } else {
      json.writeString(String.valueOf(value));
    }
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }
}
