package couponservice.metrics;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ClusterSharding;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.persistence.jdbc.db.SlickExtension;
import org.apache.pekko.persistence.jdbc.db.SlickExtensionImpl;
import slick.jdbc.hikaricp.HikariCPJdbcDataSource;

/**
 * The series of a node that no request or event reports as it happens: its two connection pools (read at each
 * scrape), and cluster membership and the shards and entities of its regions, polled every few seconds through
 * Pekko's public queries ({@code Cluster.state()}, {@code GetShardRegionStats}) with a bounded wait.
 */
public final class NodeMetrics {
  private static final Duration POLL_INTERVAL = Duration.ofSeconds(5);
  private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(3);
  private static final List<MemberStatus> STATUSES = List.of(MemberStatus.joining(), MemberStatus.weaklyUp(),
      MemberStatus.up(), MemberStatus.leaving(), MemberStatus.exiting(), MemberStatus.down(), MemberStatus.removed(),
      MemberStatus.shuttingDown(), MemberStatus.shutDown());

  private NodeMetrics() {}

  /** From now until the node stops; {@code readModel} is the read side's pool. */
  public static void start(ActorSystem<?> system, DataSource readModel) {
    org.apache.pekko.actor.ActorSystem classic = Adapter.toClassic(system);
    Map<String, HikariDataSource> pools = new LinkedHashMap<>();
    try {
      pools.put("read-model", readModel.unwrap(HikariDataSource.class));
    } catch (SQLException notHikari) {
      throw new IllegalStateException("the read model's pool is not HikariCP", notHikari);
    }
    // The journal's pool is the one pekko-persistence-jdbc's shared Slick database holds (persistence.conf).
    SlickExtensionImpl slick = (SlickExtensionImpl) SlickExtension.get(classic);
    if (slick.database(system.settings().config().getConfig("jdbc-journal")).database().source()
        instanceof HikariCPJdbcDataSource journal) {
      pools.put("journal", journal.ds());
    }
    pools.forEach(ConnectionPools::watch);
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "forget-pools",
        () -> {
          pools.forEach(ConnectionPools::forget);
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    system.scheduler().scheduleWithFixedDelay(Duration.ZERO, POLL_INTERVAL, () -> {
      membership(Cluster.get(classic).state());
      sharding(ClusterSharding.get(classic));
    }, system.executionContext());
  }

  private static void membership(CurrentClusterState state) {
    Map<String, Integer> byStatus = new LinkedHashMap<>();
    STATUSES.forEach(status -> byStatus.put(label(status), 0));
    state.getMembers().forEach(member -> byStatus.merge(label(member.status()), 1, Integer::sum));
    byStatus.forEach((status, members) -> CouponMetrics.CLUSTER_MEMBERS.labelValues(status).set(members));
    CouponMetrics.CLUSTER_UNREACHABLE_MEMBERS.set(state.getUnreachable().size());
  }

  /** Each region's answer sets its entity type's figures; a region that does not answer in time keeps the last. */
  private static void sharding(ClusterSharding sharding) {
    for (String entityType : sharding.getShardTypeNames()) {
      Patterns.ask(sharding.shardRegion(entityType), ShardRegion.getRegionStatsInstance(), QUERY_TIMEOUT)
          .thenAccept(reply -> {
            if (reply instanceof ShardRegion.ShardRegionStats stats) {
              CouponMetrics.SHARDING_SHARDS.labelValues(entityType).set(stats.getStats().size());
              CouponMetrics.SHARDING_ENTITIES.labelValues(entityType).set(stats.getStats().values().stream()
                  .mapToInt(entities -> (Integer) entities).sum());
            }
          });
    }
  }

  /** {@code WeaklyUp} as {@code weakly_up}: label values in Prometheus' usual case. */
  static String label(MemberStatus status) {
    return status.toString().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }
}
