package couponservice.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import couponservice.node.ServiceNode;
import couponservice.policy.CouponIds;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.LegacyJournal;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A policy left by the version before keyed refusals were journaled: its snapshot (format version 1, after two of
 * its four coupons, one issued with an Idempotency-Key) and the events after it. A snapshot that cannot be read fails
 * the policy's recovery, so a policy that answers has read it.
 */
class LegacyPolicySnapshotTest {
  private static final long POLICY = 1;

  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();

  @Test
  void aPolicyRecoversFromASnapshotOfTheVersionBefore() {
    var config = TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(), ConfigFactory.empty());
    TestNodes.start(config).close();
    assertEquals(6, LegacyJournal.load(database, "journal/journal-with-policy-snapshot-v1.json"));
    assertEquals(1, LegacyJournal.loadSnapshots(database, "journal/policy-snapshot-v1.json"));
    assertEquals(1, database.queryLong("SELECT count(*) FROM snapshot WHERE persistence_id = 'CouponPolicy|1'"
        + " AND snapshot_ser_manifest = 'PolicySnapshot.v1' AND sequence_number = 3"));

    try (ServiceNode node = TestNodes.start(config)) {
      int port = node.httpPort();
      Response policy = api.send(port, "GET", "/api/coupon-policies/" + POLICY, ApiClient.adminToken(), null);
      assertEquals(200, policy.status(), policy.body()::toString);
      assertEquals(4, policy.longField("currentIssueCount"));
      Response replay = api.issue(port, POLICY, 1, "legacy-key-1");
      assertEquals(201, replay.status(), replay.body()::toString);
      assertEquals(CouponIds.couponId(POLICY, 1), replay.longField("couponId"), "the snapshot's key answers its coupon");
      assertEquals("COUPON_ALREADY_ISSUED", api.issue(port, POLICY, 2, null).code(), "a user of the snapshot's ledger");
      assertEquals("COUPON_ALREADY_ISSUED", api.issue(port, POLICY, 4, null).code(), "a user of the events after it");
      assertEquals(CouponIds.couponId(POLICY, 5), api.issue(port, POLICY, 5, null).longField("couponId"));
      assertEquals("COUPON_SOLD_OUT", api.issue(port, POLICY, 6, "new-key").code());
      assertEquals("COUPON_SOLD_OUT", api.issue(port, POLICY, 6, "new-key").code(), "a keyed refusal, replayed");
    }
  }
}
