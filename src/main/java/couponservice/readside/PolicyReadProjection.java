package couponservice.readside;

import couponservice.policy.CouponPolicy;
import couponservice.policy.CouponPolicy.CouponsIssued;
import couponservice.policy.CouponPolicy.MaxIssueCountChanged;
import couponservice.policy.CouponPolicy.PolicyActivationChanged;
import couponservice.policy.CouponPolicy.PolicyCreated;
import couponservice.policy.PolicyDefinition;
import couponservice.policy.PolicySettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * Keeps {@code coupon_policies} and the issue counts of the statistics in step with the policy journal. One
 * projection instance per policy tag slice, run as a sharded daemon process so instances spread over the cluster;
 * rows and offset commit in one transaction (exactly once). The coupons' own rows are the coupon projection's.
 */
public final class PolicyReadProjection extends JdbcHandler<List<EventEnvelope<CouponPolicy.Event>>, ReadModelSession> {

  private final SqlDialect dialect;
  /** The tag slice this instance projects: the statistics rows it alone writes. */
  private final String source;

  private PolicyReadProjection(SqlDialect dialect, String source) {
    this.dialect = dialect;
    this.source = source;
  }

  public static void init(ActorSystem<?> system, ReadModelDatabase database, PolicySettings settings) {
    TagSliceProjections.run(system, "policy-read-model", settings.tags(), tag -> projection(system, database, tag));
  }

  private static org.apache.pekko.projection.Projection<EventEnvelope<CouponPolicy.Event>> projection(
      ActorSystem<?> system, ReadModelDatabase database, String tag) {
    SourceProvider<Offset, EventEnvelope<CouponPolicy.Event>> source =
        EventSourcedProvider.eventsByTag(system, JdbcReadJournal.Identifier(), tag);
    return JdbcProjection.groupedWithin(
            ProjectionId.of("policy-read-model", tag), source, database::openSession,
            () -> new PolicyReadProjection(database.dialect(), tag), system)
        .withGroup(20, Duration.ofMillis(100));
  }

  @Override
  public void process(ReadModelSession session, List<EventEnvelope<CouponPolicy.Event>> envelopes) throws Exception {
    Connection connection = session.connection();
    StatisticsDeltas statistics = new StatisticsDeltas();
    for (EventEnvelope<CouponPolicy.Event> envelope : envelopes) {
      CouponPolicy.Event event = envelope.event();
      if (event instanceof PolicyCreated created) {
        insertPolicy(connection, created);
      } else if (event instanceof CouponsIssued issued) {
        statistics.issued(issued.issuedAt(), issued.userIds().size());
        Rows.execute(connection,
            "UPDATE coupon_policies SET current_issue_count = GREATEST(current_issue_count, ?), updated_at = ? WHERE id = ?",
            statement -> {
              statement.setLong(1, issued.firstSequence() - 1 + issued.userIds().size());
              Rows.setInstant(statement, 2, issued.issuedAt());
              statement.setLong(3, issued.policyId());
            });
      } else if (event instanceof PolicyActivationChanged change) {
        Rows.execute(connection, "UPDATE coupon_policies SET is_active = ?, updated_at = ? WHERE id = ?", statement -> {
          statement.setBoolean(1, change.active());
          Rows.setInstant(statement, 2, change.at());
          statement.setLong(3, change.policyId());
        });
      } else if (event instanceof MaxIssueCountChanged change) {
        Rows.execute(connection, "UPDATE coupon_policies SET max_issue_count = ?, updated_at = ? WHERE id = ?", statement -> {
          statement.setLong(1, change.newMaxIssueCount());
          Rows.setInstant(statement, 2, change.at());
          statement.setLong(3, change.policyId());
        });
      }
    }
    statistics.write(connection, dialect, source);
    ProjectionLag.observe("policy-read-model", envelopes);
  }

  private static void insertPolicy(Connection connection, PolicyCreated created) throws SQLException {
    Rows.execute(connection, "DELETE FROM coupon_policies WHERE id = ?", statement -> statement.setLong(1, created.policyId()));
    PolicyDefinition d = created.definition();
    Rows.execute(connection, """
        INSERT INTO coupon_policies (id, coupon_name, coupon_code, discount_type, discount_value, minimum_order_amount,
          max_discount_amount, distribution_type, max_issue_count, current_issue_count, max_issue_per_user, valid_days,
          valid_duration, valid_from, valid_until, trigger_event_type, is_active, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, TRUE, ?, ?)""", statement -> {
          statement.setLong(1, created.policyId());
          statement.setString(2, d.couponName());
          statement.setString(3, d.couponCode());
          statement.setString(4, d.discountType().name());
          statement.setBigDecimal(5, d.discountValue());
          statement.setBigDecimal(6, d.minimumOrderAmount());
          statement.setBigDecimal(7, d.maxDiscountAmount());
          statement.setString(8, d.distributionType().name());
          Rows.setLong(statement, 9, d.maxIssueCount());
          statement.setInt(10, d.maxIssuePerUser());
          Rows.setInt(statement, 11, d.validDays());
          statement.setString(12, d.validDuration() == null ? null : d.validDuration().toString());
          Rows.setInstant(statement, 13, d.validFrom());
          Rows.setInstant(statement, 14, d.validUntil());
          statement.setString(15, d.triggerEventType());
          Rows.setInstant(statement, 16, created.createdAt());
          Rows.setInstant(statement, 17, created.createdAt());
        });
  }
}
