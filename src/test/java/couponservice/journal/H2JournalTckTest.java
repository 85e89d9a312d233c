package couponservice.journal;

/** The journal TCK on the dev profile's journal: H2 files and the library's DAOs. */
public class H2JournalTckTest extends JournalTck {
  public H2JournalTckTest() {
    super(ProfileJournal.h2());
  }
}
