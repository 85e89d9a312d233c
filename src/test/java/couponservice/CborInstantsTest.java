package couponservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import couponservice.coupon.Coupon;
import couponservice.testkit.EntityTestConfig;
import java.math.BigDecimal;
import java.time.Instant;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Events carry instants as numbers, to the nanosecond, and events written with ISO text are still read. */
class CborInstantsTest {
  private static final Coupon.Used USED = new Coupon.Used(
      7_000_000_001L, "R-1", "O-1", "P-1", new BigDecimal("3000.00"), Instant.parse("2026-12-02T10:15:30.123456789Z"),
      "req-1");

  private static ActorTestKit testKit;
  private static Serialization serialization;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create(EntityTestConfig.serialization());
    serialization = SerializationExtension.get(testKit.system().classicSystem());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void anInstantIsWrittenAsANumberAndReadBackExactly() throws Exception {
    byte[] bytes = serialization.serialize(USED).get();
    JsonNode tree = new CBORMapper().readTree(bytes);
    assertTrue(tree.get("usedAt").isNumber(), tree::toString);
    assertEquals(USED, deserialize(bytes));
  }

  @Test
  void anEventWrittenWithIsoTextInstantsIsStillRead() throws Exception {
    ObjectMapper textInstants = new CBORMapper().registerModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    byte[] bytes = textInstants.writeValueAsBytes(USED);
    assertTrue(new CBORMapper().readTree(bytes).get("usedAt").isTextual());
    assertEquals(USED, deserialize(bytes));
  }

  private static Object deserialize(byte[] bytes) {
    var serializer = serialization.findSerializerFor(USED);
    return serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, USED)).get();
  }
}
