package couponservice.journal;

/** The journal TCK on the prod profile's journal: PostgreSQL and the service's DAOs. */
public class PostgresJournalTckTest extends JournalTck {
  public PostgresJournalTckTest() {
    super(ProfileJournal.postgres());
  }
}
