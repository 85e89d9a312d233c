package couponservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The API's instants are written exactly as ISO_INSTANT writes them, whatever their precision and year. */
class IsoInstantSerializerTest {

  private static String json(Instant instant) {
    return new String(Json.write(instant), StandardCharsets.UTF_8);
  }

  @Test
  void isTheApiMappersSerializerOfInstants() throws Exception {
    assertInstanceOf(IsoInstantSerializer.class, Json.MAPPER.getSerializerProviderInstance().findValueSerializer(Instant.class));
  }

  @ParameterizedTest
  @ValueSource(strings = {"2026-12-02T03:04:05Z", "2026-12-02T03:04:05.100Z", "2026-12-02T03:04:05.000100Z",
      "2026-12-02T03:04:05.000000001Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999999999Z",
      "2024-02-29T12:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "+10000-01-01T00:00:00Z",
      "-0001-12-31T23:59:59Z"})
  void writesWhatIsoInstantWrites(String text) {
    Instant instant = Instant.parse(text);
    assertEquals('"' + DateTimeFormatter.ISO_INSTANT.format(instant) + '"', json(instant));
  }

  @Test
  void agreesWithIsoInstantOnRandomInstants() {
    Random random = new Random(20261202);
    for (int i = 0; i < 100_000; i++) {
      long seconds = random.nextLong(-62_200_000_000L, 253_500_000_000L);
      int nanos = switch (i % 4) {
        case 0 -> 0;
        case 1 -> random.nextInt(1000) * 1_000_000;
        case 2 -> random.nextInt(1_000_000) * 1_000;
        default -> random.nextInt(1_000_000_000);
      };
      Instant instant = Instant.ofEpochSecond(seconds, nanos);
      assertEquals('"' + DateTimeFormatter.ISO_INSTANT.format(instant) + '"', json(instant), instant::toString);
    }
  }
}
