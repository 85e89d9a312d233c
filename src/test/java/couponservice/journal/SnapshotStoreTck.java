package couponservice.journal;

import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.CapabilityFlag;
import org.apache.pekko.persistence.japi.snapshot.JavaSnapshotStoreSpec;

/**
 * Pekko's snapshot store TCK on a profile's snapshot store (the library's DAO in both profiles). The flags say what
 * it does: snapshots go through the configured serializers, and snapshot metadata is stored and loaded.
 */
abstract class SnapshotStoreTck extends JavaSnapshotStoreSpec {
  private final ProfileJournal journal;

  SnapshotStoreTck(ProfileJournal journal) {
    super(journal.config());
    this.journal = journal;
  }

  @Override
  public void beforeAll() {
    journal.create(Adapter.toTyped(system()));
    super.beforeAll();
  }

  @Override
  public void afterAll() {
    try {
      super.afterAll();
    } finally {
      journal.close();
    }
  }

  @Override
  public CapabilityFlag supportsSerialization() {
    return CapabilityFlag.on();
  }

  @Override
  public CapabilityFlag supportsMetadata() {
    return CapabilityFlag.on();
  }
}
