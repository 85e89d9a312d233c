package couponservice.operations;

import couponservice.readside.ReadModelDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.dispatch.MessageDispatcher;

/**
 * Readiness check (pekko-management instantiates it by class name with the actor system): the node's
 * database answers. The node registers its database here when it starts.
 */
public final class DatabaseReadiness implements Supplier<CompletionStage<Boolean>> {
  private static final Map<ActorSystem, ReadModelDatabase> DATABASES = new ConcurrentHashMap<>();
  private static final int VALIDATION_TIMEOUT_SECONDS = 1;

  private final ActorSystem system;

  public DatabaseReadiness(ActorSystem system) {
    this.system = system;
  }

  public static void register(ActorSystem system, ReadModelDatabase database) {
    DATABASES.put(system, database);
    system.getWhenTerminated().thenRun(() -> DATABASES.remove(system));
  }

  @Override
  public CompletionStage<Boolean> get() {
    ReadModelDatabase database = DATABASES.get(system);
    if (database == null) {
      return CompletableFuture.completedFuture(false);
    }
    MessageDispatcher blocking = system.dispatchers().lookup("coupon.blocking-dispatcher");
    return CompletableFuture.supplyAsync(() -> {
      try (Connection connection = database.dataSource().getConnection()) {
        return connection.isValid(VALIDATION_TIMEOUT_SECONDS);
      } catch (SQLException e) {
        return false;
      }
    }, blocking);
  }
}
