package couponservice.metrics;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.ObjIntConsumer;

/**
 * The HikariCP pools whose figures {@code /metrics} serves, by name, read through Hikari's public
 * {@link HikariPoolMXBean} at each scrape (no JMX registration needed). Like the registry, one set per JVM: where
 * tests run several nodes in one JVM, the pool of the node started last is the one reported.
 */
public final class ConnectionPools {
  private static final Map<String, HikariDataSource> POOLS = new ConcurrentHashMap<>();

  private ConnectionPools() {}

  public static void watch(String name, HikariDataSource pool) {
    POOLS.put(name, pool);
  }

  /** Stops reporting {@code pool}, unless another node's pool has taken the name since. */
  public static void forget(String name, HikariDataSource pool) {
    POOLS.remove(name, pool);
  }

  static void each(BiConsumer<String, HikariPoolMXBean> figures) {
    POOLS.forEach((name, pool) -> {
      HikariPoolMXBean bean = pool.getHikariPoolMXBean();
      if (bean != null && !pool.isClosed()) {
        figures.accept(name, bean);
      }
    });
  }

  static void eachMaximum(ObjIntConsumer<String> maximum) {
    POOLS.forEach((name, pool) -> {
      if (!pool.isClosed()) {
        maximum.accept(name, pool.getMaximumPoolSize());
      }
    });
  }
}
