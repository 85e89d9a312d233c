package couponservice.deadletter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import couponservice.CouponException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** Pages of a dead-letter topic over several partitions, walked with their cursors as a client would. */
class OldestFirstTest {
  private static final String TOPIC = "payment.failed.v1";

  /** A partition's records, their offsets from {@code first} on, dead-lettered at {@code timestamps}. */
  private static List<ConsumerRecord<byte[], byte[]>> partition(int partition, long first, long... timestamps) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < timestamps.length; i++) {
      records.add(new ConsumerRecord<>("p.payment.failed.v1.DLQ", partition, first + i, timestamps[i],
          TimestampType.CREATE_TIME, 0, 0, null, new byte[0], new RecordHeaders(), Optional.empty()));
    }
    return records;
  }

  /** Reads a page as the dead-letter log does: each partition from the cursor on, up to {@code limit} records. */
  private static OldestFirst.Selection page(Map<Integer, List<ConsumerRecord<byte[], byte[]>>> topic,
      DeadLetterCursor cursor, int limit) {
    Map<Integer, Long> starts = new HashMap<>();
    Map<Integer, Long> ends = new HashMap<>();
    Map<Integer, List<ConsumerRecord<byte[], byte[]>>> read = new HashMap<>();
    topic.forEach((partition, records) -> {
      long beginning = records.get(0).offset();
      long end = records.get(records.size() - 1).offset() + 1;
      long start = cursor.start(partition, beginning, end);
      starts.put(partition, start);
      ends.put(partition, end);
      read.put(partition, records.stream().filter(r -> r.offset() >= start).limit(limit).toList());
    });
    return OldestFirst.select(read, starts, ends, limit);
  }

  private static String name(ConsumerRecord<byte[], byte[]> record) {
    return record.partition() + "@" + record.offset();
  }

  @Test
  void pagesListEveryRecordOnceOldestFirstAndEachPartitionInOffsetOrder() {
    Map<Integer, List<ConsumerRecord<byte[], byte[]>>> topic = new TreeMap<>(Map.of(
        0, partition(0, 10, 100, 400, 500),
        // Clocks of the nodes that dead-lettered differ: partition 1's third record is older than its second.
        1, partition(1, 0, 200, 600, 300, 700),
        2, partition(2, 5, 50)));
    List<String> listed = new ArrayList<>();
    List<Boolean> hasMore = new ArrayList<>();
    DeadLetterCursor cursor = DeadLetterCursor.parse(TOPIC, Optional.empty());
    do {
      OldestFirst.Selection selection = page(topic, cursor, 3);
      assertTrue(selection.records().size() <= 3);
      selection.records().forEach(record -> listed.add(name(record)));
      hasMore.add(selection.hasMore());
      cursor = DeadLetterCursor.parse(TOPIC, Optional.of(new DeadLetterCursor(TOPIC, selection.next()).encoded()));
    } while (hasMore.get(hasMore.size() - 1));
    assertEquals(List.of("2@5", "0@10", "1@0", "0@11", "0@12", "1@1", "1@2", "1@3"), listed);
    assertEquals(List.of(true, true, false), hasMore);
  }

  @Test
  void anEmptyTopicIsOneEmptyLastPage() {
    OldestFirst.Selection selection = OldestFirst.select(Map.of(0, List.of()), Map.of(0, 4L), Map.of(0, 4L), 20);
    assertTrue(selection.records().isEmpty());
    assertFalse(selection.hasMore());
  }

  @Test
  void aCursorStartsWithinWhatThePartitionStillHolds() {
    DeadLetterCursor cursor = new DeadLetterCursor(TOPIC, Map.of(0, 3L, 1, 90L));
    assertEquals(10, cursor.start(0, 10, 20), "records before 10 are gone (retention)");
    assertEquals(50, cursor.start(1, 10, 50));
    assertEquals(10, cursor.start(2, 10, 50), "a partition added since: from its beginning");
  }

  @Test
  void aCursorIsTiedToItsTopic() {
    String cursor = new DeadLetterCursor(TOPIC, Map.of(0, 3L)).encoded();
    assertEquals(Map.of(0, 3L), DeadLetterCursor.parse(TOPIC, Optional.of(cursor)).positions());
    for (String foreign : Set.of(cursor + "x!", new DeadLetterCursor("coupon.trigger.v1", Map.of()).encoded(), "!!")) {
      assertThrows(CouponException.class, () -> DeadLetterCursor.parse(TOPIC, Optional.of(foreign)), foreign);
    }
  }
}
