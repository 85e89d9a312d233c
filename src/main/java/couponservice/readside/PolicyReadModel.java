package couponservice.readside;

import couponservice.policy.DiscountType;
import couponservice.policy.DistributionType;
import couponservice.policy.PolicyView;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/** Queries over {@code coupon_policies}: the newest-first policy list. */
public final class PolicyReadModel {
  private final ReadModelDatabase database;

  public PolicyReadModel(ReadModelDatabase database) {
    this.database = database;
  }

  /** Policies with an id below {@code beforeId} (all when null), newest first, at most {@code limit}. */
  public Page<PolicyView> list(Long beforeId, int limit) throws SQLException {
    return Rows.newestFirst(database.dataSource(), "coupon_policies", "id", beforeId, limit, PolicyReadModel::policyOf);
  }

  private static PolicyView policyOf(ResultSet rows) throws SQLException {
    Long maxIssueCount = Rows.getLong(rows, "max_issue_count");
    long issued = rows.getLong("current_issue_count");
    String validDuration = rows.getString("valid_duration");
    return new PolicyView(
        rows.getLong("id"),
        rows.getString("coupon_name"),
        rows.getString("coupon_code"),
        DiscountType.valueOf(rows.getString("discount_type")),
        Rows.getMoney(rows, "discount_value"),
        Rows.getMoney(rows, "minimum_order_amount"),
        Rows.getMoney(rows, "max_discount_amount"),
        DistributionType.valueOf(rows.getString("distribution_type")),
        maxIssueCount,
        rows.getInt("max_issue_per_user"),
        Rows.getInt(rows, "valid_days"),
        validDuration == null ? null : Duration.parse(validDuration),
        Rows.getInstant(rows, "valid_from"),
        Rows.getInstant(rows, "valid_until"),
        rows.getString("trigger_event_type"),
        rows.getBoolean("is_active"),
        issued,
        maxIssueCount == null ? null : Math.max(0, maxIssueCount - issued),
        Rows.getInstant(rows, "created_at"),
        Rows.getInstant(rows, "updated_at"));
  }
}
