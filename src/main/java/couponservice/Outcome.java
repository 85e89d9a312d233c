package couponservice;

import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What an entity answers: a value, or a refusal with a contract error code. Refusals are ordinary
 * replies, not failures, so that an ask only fails when the entity could not be reached.
 */
public sealed interface Outcome<T> extends CborSerializable {

  static <T> Outcome<T> ok(T value) {
    return new Ok<>(value);
  }

  static <T> Outcome<T> rejected(ErrorCode code, String message) {
    return new Rejected<>(code, message);
  }

  record Ok<T>(@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS) T value) implements Outcome<T> {}

  record Rejected<T>(ErrorCode code, String message) implements Outcome<T> {
    /** The same refusal, typed for another reply. */
    public <U> Rejected<U> cast() {
      return new Rejected<>(code, message);
    }
  }
}
