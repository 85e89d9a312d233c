package couponservice.deadletter;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One page of a dead-letter topic, oldest first: the records of all partitions merged by the time they were
 * dead-lettered (then partition), each partition in offset order, so that the next page of every partition starts
 * right after its last listed record and pages never repeat or skip one.
 */
final class OldestFirst {
  private OldestFirst() {}

  /** The page, the positions after it, and whether any partition holds records beyond them. */
  record Selection(List<ConsumerRecord<byte[], byte[]>> records, Map<Integer, Long> next, boolean hasMore) {}

  /** A partition's records not yet listed, in offset order. */
  private record Head(int partition, List<ConsumerRecord<byte[], byte[]>> records, int index) {
    ConsumerRecord<byte[], byte[]> record() {
      return records.get(index);
    }
  }

  private static final Comparator<Head> OLDEST =
      Comparator.<Head>comparingLong(head -> head.record().timestamp()).thenComparingInt(Head::partition);

  /**
   * {@code read}: per partition, records from its start on, in offset order — at least {@code limit} of them, or all
   * up to its end. {@code starts} and {@code ends}: where each partition was read from, and its end offset then.
   */
  static Selection select(Map<Integer, List<ConsumerRecord<byte[], byte[]>>> read, Map<Integer, Long> starts,
      Map<Integer, Long> ends, int limit) {
    PriorityQueue<Head> heads = new PriorityQueue<>(OLDEST);
    read.forEach((partition, records) -> {
      if (!records.isEmpty()) {
        heads.add(new Head(partition, records, 0));
      }
    });
    List<ConsumerRecord<byte[], byte[]>> page = new ArrayList<>(limit);
    Map<Integer, Long> next = new HashMap<>(starts);
    while (page.size() < limit && !heads.isEmpty()) {
      Head head = heads.poll();
      ConsumerRecord<byte[], byte[]> record = head.record();
      page.add(record);
      next.put(head.partition(), record.offset() + 1);
      if (head.index() + 1 < head.records().size()) {
        heads.add(new Head(head.partition(), head.records(), head.index() + 1));
      }
    }
    boolean hasMore = ends.entrySet().stream().anyMatch(end -> next.getOrDefault(end.getKey(), 0L) < end.getValue());
    return new Selection(page, next, hasMore);
  }
}
