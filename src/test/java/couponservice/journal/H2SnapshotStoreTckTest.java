package couponservice.journal;

/** The snapshot store TCK on the dev profile's H2 files. */
public class H2SnapshotStoreTckTest extends SnapshotStoreTck {
  public H2SnapshotStoreTckTest() {
    super(ProfileJournal.h2());
  }
}
