package couponservice.journal;

/** The snapshot store TCK on the prod profile's PostgreSQL. */
public class PostgresSnapshotStoreTckTest extends SnapshotStoreTck {
  public PostgresSnapshotStoreTckTest() {
    super(ProfileJournal.postgres());
  }
}
