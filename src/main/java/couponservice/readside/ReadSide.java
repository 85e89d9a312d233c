package couponservice.readside;

import couponservice.RootCause;
import couponservice.StartupException;
import couponservice.coupon.CouponSettings;
import couponservice.jobs.JobSettings;
import couponservice.policy.CouponTagSlices;
import couponservice.policy.PolicySettings;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * The read side on a node: the projections that keep the read tables in step with the journal, and the queries
 * over those tables.
 */
public final class ReadSide {
  private static final Duration SCHEMA_STEP_TIMEOUT = Duration.ofSeconds(30);

  private final PolicyReadModel policies;
  private final CouponReadModel coupons;
  private final WalletReadModel wallets;
  private final StatisticsReadModel statistics;
  private final JobReadModel jobs;

  private ReadSide(ReadModelDatabase database) {
    this.policies = new PolicyReadModel(database);
    this.coupons = new CouponReadModel(database);
    this.wallets = new WalletReadModel(database);
    this.statistics = new StatisticsReadModel(database);
    this.jobs = new JobReadModel(database);
  }

  /**
   * The journal, read-model and projection tables, created where missing, one node at a time. What exists is left
   * alone: a node starting beside running ones must not lock the tables they write. Answers the database's coupon
   * slicing ({@link ReadModelSchema#couponTagSlices}).
   */
  public static CouponTagSlices createSchema(ActorSystem<?> system, ReadModelDatabase database,
      CouponSettings couponSettings) throws StartupException {
    try (ReadModelDatabase.SchemaLock lock = database.schemaLock()) {
      if (!database.missingRelations(ReadModelSchema.JOURNAL_RELATIONS).isEmpty()) {
        await(SchemaUtils.createIfNotExists("coupon.journal-schema", system), "creating the journal tables");
      }
      ReadModelSchema.adjustJournalTables(database);
      ReadModelSchema.tagOldIssuesForCouponSlices(database, couponSettings.tags());
      ReadModelSchema.createIfMissing(database);
      if (!database.missingRelations(ReadModelSchema.PROJECTION_RELATIONS).isEmpty()) {
        await(JdbcProjection.createTablesIfNotExists(database::openSession, system), "creating the projection tables");
      }
      return ReadModelSchema.couponTagSlices(database, couponSettings.couponTags());
    } catch (SQLException e) {
      throw new StartupException("cannot create the tables at " + database.url() + ": " + RootCause.messageOf(e),
          e);
    }
  }

  private static void await(CompletionStage<?> step, String what) throws StartupException {
    try {
      step.toCompletableFuture().get(SCHEMA_STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new StartupException(what + " failed: " + RootCause.messageOf(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartupException(what + " was interrupted", e);
    }
  }

  public static ReadSide start(ActorSystem<?> system, ReadModelDatabase database, PolicySettings policySettings,
      CouponSettings couponSettings, JobSettings jobSettings) {
    PolicyReadProjection.init(system, database, policySettings);
    CouponReadProjection.init(system, database, couponSettings);
    JobReadProjection.init(system, database, jobSettings);
    return new ReadSide(database);
  }

  public PolicyReadModel policies() {
    return policies;
  }

  public CouponReadModel coupons() {
    return coupons;
  }

  public WalletReadModel wallets() {
    return wallets;
  }

  public StatisticsReadModel statistics() {
    return statistics;
  }

  public JobReadModel jobs() {
    return jobs;
  }
}
