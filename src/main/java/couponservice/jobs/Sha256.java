package couponservice.jobs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** SHA-256 digests of several fields, each written so that no two different field lists read the same. */
final class Sha256 {
  private final MessageDigest digest;
  private final ByteBuffer buffer = ByteBuffer.allocate(8192);

  Sha256() {
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  Sha256 add(long value) {
    if (buffer.remaining() < Long.BYTES) {
      flush();
    }
    buffer.putLong(value);
    return this;
  }

  /** A string as its length and UTF-8 bytes; null as length -1. */
  Sha256 add(String value) {
    if (value == null) {
      return add(-1L);
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    add(bytes.length);
    flush();
    digest.update(bytes);
    return this;
  }

  /** The digest in URL-safe base64 without padding (43 characters). */
  String base64() {
    flush();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(digest.digest());
  }

  private void flush() {
    digest.update(buffer.flip());
    buffer.clear();
  }
}
