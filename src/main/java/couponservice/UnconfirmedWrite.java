package couponservice;

import java.util.function.Consumer;

/**
 * The journal write an entity has under way, with what to do once its outcome is known. A write that fails (the
 * database unreachable, or its connection killed during the commit) restarts the entity, which recovers from the
 * journal; whether the write is among what it recovered tells the requests waiting on it their real outcome.
 *
 * @param <S> the entity's state
 */
public final class UnconfirmedWrite<S> {
  private long lastSequenceNr;
  private Consumer<S> written;
  private Runnable notWritten;

  /**
   * A write of the events up to {@code lastSequenceNr} starts. Should it fail, {@code written} or {@code notWritten}
   * runs after the recovery that follows.
   */
  public void expect(long lastSequenceNr, Consumer<S> written, Runnable notWritten) {
    this.lastSequenceNr = lastSequenceNr;
    this.written = written;
    this.notWritten = notWritten;
  }

  /** The journal confirmed the write; its requests are answered as usual. */
  public void confirmed() {
    clear();
  }

  /** After recovery from the journal, up to {@code recoveredSequenceNr}: answers the write that failed, if any. */
  public void resolve(long recoveredSequenceNr, S recovered) {
    Consumer<S> ifWritten = written;
    Runnable ifNotWritten = notWritten;
    boolean happened = recoveredSequenceNr >= lastSequenceNr;
    clear();
    if (ifWritten != null) {
      if (happened) {
        ifWritten.accept(recovered);
      } else {
        ifNotWritten.run();
      }
    }
  }

  private void clear() {
    written = null;
    notWritten = null;
  }
}
