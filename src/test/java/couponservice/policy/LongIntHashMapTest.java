package couponservice.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LongIntHashMapTest {

  @Test
  void countsLikeAHashMapThroughManyResizes() {
    LongIntHashMap counts = new LongIntHashMap();
    Map<Long, Integer> expected = new HashMap<>();
    Random random = new Random(42);
    for (int i = 0; i < 200_000; i++) {
      long key = 1 + (random.nextLong() & Long.MAX_VALUE) % 50_000;
      assertEquals(expected.merge(key, 1, Integer::sum), counts.add(key, 1));
    }
    assertEquals(expected.size(), counts.size());
    expected.forEach((key, count) -> assertEquals(count, counts.get(key)));
    assertEquals(0, counts.get(Long.MAX_VALUE));
  }

  @Test
  void refusesKeysThatAreNotPositiveIds() {
    assertThrows(IllegalArgumentException.class, () -> new LongIntHashMap().add(0, 1));
  }
}
