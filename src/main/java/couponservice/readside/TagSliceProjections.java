package couponservice.readside;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.projection.Projection;
import org.apache.pekko.projection.ProjectionBehavior;

/** Runs one projection instance per tag slice as a sharded daemon process, so instances spread over the cluster. */
public final class TagSliceProjections {
  private TagSliceProjections() {}

  public static <E> void run(ActorSystem<?> system, String name, List<String> tags,
      Function<String, Projection<E>> projectionOfTag) {
    ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, name, tags.size(),
        index -> ProjectionBehavior.create(projectionOfTag.apply(tags.get(index))),
        ShardedDaemonProcessSettings.create(system), Optional.of(ProjectionBehavior.stopMessage()));
  }
}
