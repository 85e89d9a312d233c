package couponservice.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/**
 * Configuration for ActorSystems of entity unit tests, resolved as the service resolves its own
 * ({@code ConfigFactory.load}): {@code serialization.conf} adds to lists of Pekko's {@code reference.conf}.
 */
public final class EntityTestConfig {
  private EntityTestConfig() {}

  /** The service's serialization bindings and Jackson modules. */
  public static Config serialization() {
    return ConfigFactory.load(serializationConf());
  }

  /** The same, on the persistence testkit's in-memory journal and snapshot store. */
  public static Config inMemoryPersistence() {
    return ConfigFactory.load(serializationConf()
        .withFallback(EventSourcedBehaviorTestKit.config())
        .withFallback(PersistenceTestKitSnapshotPlugin.config()));
  }

  private static Config serializationConf() {
    return ConfigFactory.parseResources("serialization.conf");
  }
}
