package couponservice.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import couponservice.testkit.Eventually;
import couponservice.testkit.ServiceProcess;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /ready} (management port) answers 200 only while the API port takes requests: not before the HTTP
 * binding is up, and no longer once SIGTERM has begun the shutdown, before the port stops accepting.
 */
class ApiReadinessTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();

  private static final int NOT_ANSWERED = -1;
  private static final Duration SAMPLE_PAUSE = Duration.ofMillis(2);

  /**
   * One look at both ports from {@code nanos} on, {@code /ready} first: a 200 there must be followed by an
   * answering API port.
   */
  private record Sample(long nanos, int ready, int api) {}

  /** The samples as the changes of (ready, api), each with its time in ms relative to SIGTERM. */
  private static String transitions(List<Sample> samples, long sigterm) {
    StringBuilder seen = new StringBuilder();
    Sample previous = null;
    for (Sample sample : samples) {
      if (previous == null || previous.ready() != sample.ready() || previous.api() != sample.api()) {
        seen.append(String.format("%n  %+d ms: ready %d, api %d", Duration.ofNanos(sample.nanos() - sigterm).toMillis(),
            sample.ready(), sample.api()));
      }
      previous = sample;
    }
    return seen.toString();
  }

  @Test
  void readyOnlyWhileTheApiPortAnswersFromStartThroughSigterm() {
    Queue<Sample> sampled = new ConcurrentLinkedQueue<>();
    // A second of draining, so that the samples see /ready turn off while the API port still answers.
    try (ServiceProcess node = ServiceProcess.startProd("readiness-prod", database,
        Map.of("COUPON_HTTP_DRAIN_DELAY", "1s"))) {
      CompletableFuture<Void> sampling = CompletableFuture.runAsync(() -> {
        while (node.isAlive()) {
          long at = System.nanoTime();
          int ready = ServiceProcess.probe(node.managementPort(), "/ready");
          sampled.add(new Sample(at, ready, ServiceProcess.probe(node.httpPort(), "/health")));
          // A refused connection returns at once: leave the starting node the CPU.
          LockSupport.parkNanos(SAMPLE_PAUSE.toNanos());
        }
      });
      Eventually.await(Duration.ofSeconds(60), "/ready answering 200", () ->
          sampled.stream().anyMatch(sample -> sample.ready() == 200) || !node.isAlive());
      long sigterm = System.nanoTime();
      node.terminate();
      node.awaitExit(Duration.ofSeconds(60));
      sampling.join();
      List<Sample> samples = List.copyOf(sampled);
      String seen = "; seen: " + transitions(samples, sigterm);
      System.out.println("readiness-prod" + seen);

      assertTrue(samples.stream().noneMatch(sample -> sample.ready() == 200 && sample.api() != 200),
          "/ready answered 200 while the API port did not" + seen);
      assertTrue(samples.stream().anyMatch(sample -> sample.ready() == 200), "/ready never answered 200" + seen);

      int notReady = IntStream.range(0, samples.size())
          .filter(i -> samples.get(i).nanos() > sigterm && samples.get(i).ready() != 200)
          .findFirst().orElseThrow(() -> new AssertionError("/ready kept answering 200 after SIGTERM" + seen));
      assertTrue(samples.subList(notReady, samples.size()).stream().anyMatch(sample -> sample.api() == 200),
          "the API port stopped answering no later than /ready did" + seen);
      assertEquals(NOT_ANSWERED, samples.get(samples.size() - 1).api(), "the API port still answered at exit" + seen);
    }
  }

  @Test
  void aDrainDelayLongerThanItsShutdownPhaseStopsStartupWithOneClearLine() {
    Config tooLong = ConfigFactory.parseMap(Map.of("coupon.http.drain-delay", "90s"));
    IllegalStateException failure = assertThrows(IllegalStateException.class, () ->
        TestNodes.start(TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(), tooLong)));
    assertEquals("COUPON_HTTP_DRAIN_DELAY must be at least 0s and below 60s"
        + " (pekko.coordinated-shutdown.phases.before-service-unbind.timeout), not 90s", failure.getMessage());
  }
}
