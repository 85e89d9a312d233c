package couponservice.kafka;

/** What became of a consumed message: applied (or nothing to apply), or bound for the dead-letter topic. */
public sealed interface Handled {
  Handled APPLIED = new Applied();

  record Applied() implements Handled {}

  /** {@code reason}: one line saying why, carried in the {@code dlq-error} header. */
  record DeadLetter(String reason) implements Handled {}

  static Handled deadLetter(String reason) {
    return new DeadLetter(reason);
  }
}
