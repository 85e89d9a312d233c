package couponservice.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class CouponTagSlicesTest {
  private static final CouponTagSlices SLICES = new CouponTagSlices(8, 10);

  private static Set<String> tagsOf(long policyId, long firstSequence, int count) {
    Set<String> tags = new HashSet<>();
    LongStream.range(firstSequence, firstSequence + count)
        .forEach(sequence -> tags.add(SLICES.tagOf(CouponIds.couponId(policyId, sequence))));
    return tags;
  }

  @Test
  void aBatchOfABlockPolicyGoesToOneSliceOrTwoAcrossABlocksEnd() {
    assertEquals(1, tagsOf(10, 1, 300).size());
    assertEquals(1, tagsOf(10, 1024, 1024).size(), "one whole block");
    assertEquals(2, tagsOf(10, 1000, 300).size(), "crossing the end of the first block");
  }

  @Test
  void successiveBlocksOfAPolicyTakeTurnsOverEverySlice() {
    List<String> blocks = LongStream.range(0, 8)
        .mapToObj(block -> SLICES.tagOf(CouponIds.couponId(12, block * CouponTagSlices.BLOCK + 5))).toList();
    assertEquals(Set.copyOf(SLICES.tags()), Set.copyOf(blocks));
    assertEquals(SLICES.tagOf(CouponIds.couponId(12, 5)), SLICES.tagOf(CouponIds.couponId(12, 8 * CouponTagSlices.BLOCK + 5)));
  }

  @Test
  void policiesFromBeforeBlockSlicingKeepTheSliceOfTheCouponId() {
    for (long sequence = 1; sequence <= 20; sequence++) {
      long couponId = CouponIds.couponId(9, sequence);
      assertEquals("coupon-" + Math.floorMod(Long.hashCode(couponId), 8), SLICES.tagOf(couponId));
    }
    assertEquals(8, tagsOf(9, 1, 300).size(), "their batches still reach every slice");
    assertEquals(SLICES.tagOf(CouponIds.couponId(9, 7)),
        CouponTagSlices.byCouponId(8).tagOf(CouponIds.couponId(9, 7)), "as every policy before the database says");
  }

  @Test
  void theSlicesAreNamedAndCounted() {
    assertEquals(List.of("coupon-0", "coupon-1", "coupon-2"), new CouponTagSlices(3, 1).tags());
    assertThrows(IllegalArgumentException.class, () -> new CouponTagSlices(0, 1));
  }
}
