package couponservice.policy;

import couponservice.CborSerializable;

/** An {@code Idempotency-Key} header as it is scoped: per user (and per policy, by living in its entity). */
public record IdempotencyKey(long userId, String key) implements CborSerializable {}
