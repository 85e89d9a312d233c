package couponservice.bench;

import java.util.HashMap;
import java.util.Locale;
import java.util.concurrent.SynchronousQueue;

/**
 * Measures the two things whose speed this development VM changes from hour to hour, so that a benchmark
 * result can say what kind of hour it was measured in: how long a hand-off between two threads takes (a
 * wake-up of the other core, which every hop between the service's threads pays), and how long a
 * heap-bound loop takes (memory and TLB). Prints one JSON line:
 * {@code java -cp target/test-classes couponservice.bench.MachineProbe}.
 */
public final class MachineProbe {
  private static final int HANDOFFS = 20_000;
  private static final int HEAP_ENTRIES = 2_000_000;
  private static final int ROUNDS = 3;

  private MachineProbe() {}

  public static void main(String[] args) throws InterruptedException {
    double handoff = Double.MAX_VALUE;
    double heap = Double.MAX_VALUE;
    for (int round = 0; round < ROUNDS; round++) {
      handoff = Math.min(handoff, handoffRoundTripMicros());
      heap = Math.min(heap, heapLoopSeconds());
    }
    System.out.printf(Locale.ROOT, "{\"handoffRoundTripUs\":%.1f,\"heapLoopSeconds\":%.2f}%n", handoff, heap);
  }

  /** One value sent to another thread and back, averaged: two wake-ups when the other thread sleeps. */
  private static double handoffRoundTripMicros() throws InterruptedException {
    SynchronousQueue<Integer> there = new SynchronousQueue<>();
    SynchronousQueue<Integer> back = new SynchronousQueue<>();
    Thread echo = new Thread(() -> {
      try {
        for (int i = 0; i < HANDOFFS; i++) {
          back.put(there.take());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    echo.start();
    long started = System.nanoTime();
    for (int i = 0; i < HANDOFFS; i++) {
      there.put(i);
      back.take();
    }
    double micros = (System.nanoTime() - started) / 1e3 / HANDOFFS;
    echo.join();
    return micros;
  }

  /** A map of two million small arrays built from scratch. */
  private static double heapLoopSeconds() {
    long started = System.nanoTime();
    HashMap<Integer, long[]> map = new HashMap<>();
    for (int i = 0; i < HEAP_ENTRIES; i++) {
      map.put(i, new long[4]);
    }
    if (map.size() != HEAP_ENTRIES) {
      throw new IllegalStateException("lost entries");
    }
    return (System.nanoTime() - started) / 1e9;
  }
}
