package couponservice.policy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import couponservice.policy.CouponPolicy.KeyedIssue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/**
 * Binary form of {@link PolicySnapshot}. A policy entity stashes its commands while a snapshot is
 * stored, so a hot policy with a million coupons must serialize in milliseconds: the terms go as CBOR,
 * the two ledger arrays as zig-zag varint deltas (issue times are near-monotonic, so most take one byte). Headers
 * written before bulk jobs existed have no job chunks.
 */
public final class PolicySnapshotSerializer extends SerializerWithStringManifest {
  private static final String MANIFEST_V1 = "PolicySnapshot.v1";

  /** Everything but the ledger arrays. */
  record Header(
      long policyId,
      PolicyDefinition definition,
      Instant createdAt,
      Instant updatedAt,
      boolean active,
      Long maxIssueCount,
      List<KeyedIssue> keyedIssues,
      int coupons,
      List<String> runningJobs,
      List<CouponPolicy.CouponsIssued> lastJobChunks) {}

  private final ObjectMapper cbor;

  public PolicySnapshotSerializer(ExtendedActorSystem system) {
    this.cbor = JacksonObjectMapperProvider.get(system).getOrCreate("jackson-cbor", Optional.of(new CBORFactory()));
  }

  @Override
  public int identifier() {
    return 770_001;
  }

  @Override
  public String manifest(Object o) {
    return MANIFEST_V1;
  }

  @Override
  public byte[] toBinary(Object o) {
    PolicySnapshot s = (PolicySnapshot) o;
    byte[] header;
    try {
      header = cbor.writeValueAsBytes(new Header(s.policyId(), s.definition(), s.createdAt(), s.updatedAt(), s.active(),
          s.maxIssueCount(), s.keyedIssues(), s.owners().length, s.runningJobs(), s.lastJobChunks()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    VarintWriter out = new VarintWriter(header.length + 4 + s.owners().length * 4);
    out.writeFixedInt(header.length);
    out.writeBytes(header);
    out.writeDeltas(s.owners());
    out.writeDeltas(s.issuedAtMillis());
    return out.toByteArray();
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) {
    if (!MANIFEST_V1.equals(manifest)) {
      throw new IllegalArgumentException("unknown policy snapshot manifest " + manifest);
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    byte[] headerBytes = new byte[in.getInt()];
    in.get(headerBytes);
    Header h;
    try {
      h = cbor.readValue(headerBytes, Header.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long[] owners = readDeltas(in, h.coupons());
    long[] issuedAt = readDeltas(in, h.coupons());
    return new PolicySnapshot(h.policyId(), h.definition(), h.createdAt(), h.updatedAt(), h.active(), h.maxIssueCount(),
        owners, issuedAt, h.keyedIssues(), h.runningJobs() == null ? List.of() : h.runningJobs(),
        h.lastJobChunks() == null ? List.of() : h.lastJobChunks());
  }

  private static long[] readDeltas(ByteBuffer in, int count) {
    long[] values = new long[count];
    long previous = 0;
    for (int i = 0; i < count; i++) {
      long zigzag = 0;
      int shift = 0;
      byte b;
      do {
        b = in.get();
        zigzag |= (long) (b & 0x7F) << shift;
        shift += 7;
      } while (b < 0);
      previous += (zigzag >>> 1) ^ -(zigzag & 1);
      values[i] = previous;
    }
    return values;
  }

  /** A growable byte array (ByteArrayOutputStream synchronizes every write). */
  private static final class VarintWriter {
    private byte[] buffer;
    private int size;

    VarintWriter(int capacity) {
      buffer = new byte[Math.max(64, capacity)];
    }

    private void ensure(int more) {
      if (size + more > buffer.length) {
        buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
      }
    }

    void writeFixedInt(int value) {
      ensure(4);
      ByteBuffer.wrap(buffer, size, 4).putInt(value);
      size += 4;
    }

    void writeBytes(byte[] bytes) {
      ensure(bytes.length);
      System.arraycopy(bytes, 0, buffer, size, bytes.length);
      size += bytes.length;
    }

    void writeDeltas(long[] values) {
      long previous = 0;
      for (long value : values) {
        long delta = value - previous;
        previous = value;
        long zigzag = (delta << 1) ^ (delta >> 63);
        ensure(10);
        while ((zigzag & ~0x7FL) != 0) {
          buffer[size++] = (byte) ((zigzag & 0x7F) | 0x80);
          zigzag >>>= 7;
        }
        buffer[size++] = (byte) zigzag;
      }
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buffer, size);
    }
  }
}
