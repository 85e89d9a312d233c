package couponservice;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.module.blackbird.BlackbirdModule;
import couponservice.Json;
import couponservice.testkit.EntityTestConfig;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.Test;

/** Both of the service's Jackson mappers read and write records through generated accessors, not reflection. */
class JacksonModulesTest {
  private static final Object BLACKBIRD = new BlackbirdModule().getTypeId();

  @Test
  void theApiJsonUsesBlackbird() {
    assertTrue(Json.MAPPER.getRegisteredModuleIds().contains(BLACKBIRD), Json.MAPPER.getRegisteredModuleIds()::toString);
  }

  @Test
  void theCborSerializationOfMessagesEventsAndSnapshotsUsesBlackbirdBesidePekkosModules() {
    ActorTestKit testKit = ActorTestKit.create(EntityTestConfig.serialization());
    try {
      var modules = JacksonObjectMapperProvider.get(testKit.system().classicSystem())
          .getOrCreate("jackson-cbor", Optional.empty())
          .getRegisteredModuleIds();
      assertTrue(modules.contains(BLACKBIRD), modules::toString);
      assertTrue(modules.contains("jackson-datatype-jsr310"), modules::toString);
    } finally {
      testKit.shutdownTestKit();
    }
  }
}
