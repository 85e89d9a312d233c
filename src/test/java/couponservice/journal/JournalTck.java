package couponservice.journal;

import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.CapabilityFlag;
import org.apache.pekko.persistence.japi.journal.JavaJournalSpec;

/**
 * Pekko's journal TCK on a profile's journal. The flags say what this journal does: an atomic write whose event
 * cannot be serialized is rejected alone, events go through the configured serializers, and event metadata is
 * stored and replayed (both profiles' DAOs write and read the metadata columns).
 */
abstract class JournalTck extends JavaJournalSpec {
  private final ProfileJournal journal;

  JournalTck(ProfileJournal journal) {
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
  public CapabilityFlag supportsRejectingNonSerializableObjects() {
    return CapabilityFlag.on();
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
