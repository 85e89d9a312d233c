package couponservice.tools;

import com.typesafe.config.ConfigFactory;
import couponservice.node.ServiceConfig;
import couponservice.policy.CouponPolicy;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Operator tool: reads a policy's journal (the source of truth, not the read model) and prints what it
 * holds: coupons issued, distinct owners, the most coupons one user holds, and whether sequences are
 * gapless. The benchmarks compare it with the 201 answers they counted:
 * {@code java -cp coupon-service.jar couponservice.tools.JournalAudit <policyId>} (prod profile environment).
 */
public final class JournalAudit {
  private JournalAudit() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1 || !args[0].matches("[1-9][0-9]{0,17}")) {
      System.err.println("usage: JournalAudit <policyId>");
      System.exit(2);
    }
    long policyId = Long.parseLong(args[0]);
    var config = ServiceConfig.load(System.getenv().getOrDefault("COUPON_PROFILE", "prod"),
        ConfigFactory.parseString("pekko.actor.provider = local\npekko.loglevel = WARNING"), System.getenv());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "journal-audit", config);
    try {
      JdbcReadJournal journal = PersistenceQuery.get(system)
          .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
      Map<Long, Integer> perUser = new HashMap<>();
      long[] expectedNext = {1};
      boolean[] gapless = {true};
      journal.currentEventsByPersistenceId(CouponPolicy.persistenceId(policyId).id(), 0, Long.MAX_VALUE)
          .map(EventEnvelope::event)
          .runWith(Sink.foreach(event -> {
            if (event instanceof CouponPolicy.CouponsIssued issued) {
              gapless[0] &= issued.firstSequence() == expectedNext[0];
              expectedNext[0] = issued.firstSequence() + issued.userIds().size();
              issued.userIds().forEach(user -> perUser.merge(user, 1, Integer::sum));
            }
          }), system)
          .toCompletableFuture()
          .get(10, TimeUnit.MINUTES);
      long coupons = perUser.values().stream().mapToLong(Integer::longValue).sum();
      int maxPerUser = perUser.values().stream().mapToInt(Integer::intValue).max().orElse(0);
      System.out.printf("{\"policyId\":%d,\"coupons\":%d,\"distinctUsers\":%d,\"maxCouponsPerUser\":%d,\"gaplessSequences\":%b}%n",
          policyId, coupons, perUser.size(), maxPerUser, gapless[0]);
    } finally {
      system.terminate();
    }
  }
}
