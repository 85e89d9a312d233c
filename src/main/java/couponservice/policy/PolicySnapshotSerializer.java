package couponservice.policy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import couponservice.ErrorCode;
import couponservice.policy.CouponPolicy.KeyedIssue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/**
 * Binary form of {@link PolicySnapshot}. A policy entity stashes its commands while a snapshot is
 * stored, so a hot policy with a million coupons must serialize in milliseconds: the terms go as CBOR,
 * the two ledger arrays as zig-zag varint deltas (issue times are near-monotonic, so most take one byte). Headers
 * written before bulk jobs existed have no job chunks.
 *
 * <p>Version 2 appends the keyed refusals (up to {@code coupon.policy.max-keyed-refusals}, oldest first): their users
 * and times as deltas like the ledger, their distinct answers (code by name, message; a sold-out sale's share one),
 * then per refusal its answer's index and its key. Version 1, written before refusals were journaled, is read with
 * none.
 */
public final class PolicySnapshotSerializer extends SerializerWithStringManifest {
  private static final String MANIFEST_V1 = "PolicySnapshot.v1";
  private static final String MANIFEST_V2 = "PolicySnapshot.v2";

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

  /** What a refused request was answered: the snapshot holds each distinct one once. */
  private record Answer(ErrorCode code, String message) {}

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
    return MANIFEST_V2;
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
    VarintWriter out = new VarintWriter(header.length + 4 + s.owners().length * 4 + s.keyedRefusals().size() * 48);
    out.writeFixedInt(header.length);
    out.writeBytes(header);
    out.writeDeltas(s.owners());
    out.writeDeltas(s.issuedAtMillis());
    writeKeyedRefusals(out, s.keyedRefusals());
    return out.toByteArray();
  }

  private static void writeKeyedRefusals(VarintWriter out, List<RememberedRefusal> refusals) {
    int count = refusals.size();
    long[] users = new long[count];
    long[] refusedAt = new long[count];
    Map<Answer, Integer> answers = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      RememberedRefusal refusal = refusals.get(i);
      users[i] = refusal.key().userId();
      refusedAt[i] = refusal.refusedAtMillis();
      answers.putIfAbsent(new Answer(refusal.code(), refusal.message()), answers.size());
    }
    out.writeVarint(count);
    out.writeDeltas(users);
    out.writeDeltas(refusedAt);
    out.writeVarint(answers.size());
    answers.keySet().forEach(answer -> {
      out.writeString(answer.code().name());
      out.writeString(answer.message());
    });
    for (RememberedRefusal refusal : refusals) {
      out.writeVarint(answers.get(new Answer(refusal.code(), refusal.message())));
      out.writeString(refusal.key().key());
    }
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) {
    if (!MANIFEST_V1.equals(manifest) && !MANIFEST_V2.equals(manifest)) {
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
        h.lastJobChunks() == null ? List.of() : h.lastJobChunks(),
        MANIFEST_V1.equals(manifest) ? List.of() : readKeyedRefusals(in));
  }

  private static List<RememberedRefusal> readKeyedRefusals(ByteBuffer in) {
    int count = (int) readVarint(in);
    long[] users = readDeltas(in, count);
    long[] refusedAt = readDeltas(in, count);
    Answer[] answers = new Answer[(int) readVarint(in)];
    for (int i = 0; i < answers.length; i++) {
      answers[i] = new Answer(ErrorCode.valueOf(readString(in)), readString(in));
    }
    List<RememberedRefusal> refusals = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Answer answer = answers[(int) readVarint(in)];
      refusals.add(new RememberedRefusal(new IdempotencyKey(users[i], readString(in)), answer.code(), answer.message(),
          refusedAt[i]));
    }
    return refusals;
  }

  private static long[] readDeltas(ByteBuffer in, int count) {
    long[] values = new long[count];
    long previous = 0;
    for (int i = 0; i < count; i++) {
      long zigzag = readVarint(in);
      previous += (zigzag >>> 1) ^ -(zigzag & 1);
      values[i] = previous;
    }
    return values;
  }

  private static long readVarint(ByteBuffer in) {
    long value = 0;
    int shift = 0;
    byte b;
    do {
      b = in.get();
      value |= (long) (b & 0x7F) << shift;
      shift += 7;
    } while (b < 0);
    return value;
  }

  private static String readString(ByteBuffer in) {
    byte[] utf8 = new byte[(int) readVarint(in)];
    in.get(utf8);
    return new String(utf8, StandardCharsets.UTF_8);
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
        writeVarint((delta << 1) ^ (delta >> 63));
      }
    }

    /** {@code value} read as unsigned, seven bits a byte. */
    void writeVarint(long value) {
      ensure(10);
      while ((value & ~0x7FL) != 0) {
        buffer[size++] = (byte) ((value & 0x7F) | 0x80);
        value >>>= 7;
      }
      buffer[size++] = (byte) value;
    }

    void writeString(String value) {
      byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
      writeVarint(utf8.length);
      writeBytes(utf8);
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buffer, size);
    }
  }
}
