package couponservice.testkit;

import couponservice.testkit.ApiClient.Response;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;

/** Sends many requests at once, at most {@code inFlight} outstanding, and collects every response. */
public final class Hammer {
  private Hammer() {}

  /** Sends {@code count} requests, at most {@code inFlight} at once; every one must be answered. */
  public static List<Response> send(ApiClient api, int count, int inFlight, IntFunction<HttpRequest> request) {
    Results results = sendTolerating(api, count, inFlight, i -> { }, request);
    if (results.unanswered() > 0) {
      throw new AssertionError(results.unanswered() + " of " + count + " requests got no answer");
    }
    return results.responses();
  }

  /** Answers, and how many requests got none (connection refused or reset: their effect is unknown). */
  public record Results(List<Response> responses, int unanswered) {}

  /**
   * Like {@link #send} but a request without an answer is counted rather than failing the run, and
   * {@code beforeEach} sees each request index first (to change the cluster mid-run).
   */
  public static Results sendTolerating(ApiClient api, int count, int inFlight, IntConsumer beforeEach,
      IntFunction<HttpRequest> request) {
    Semaphore permits = new Semaphore(inFlight);
    ConcurrentLinkedQueue<Response> responses = new ConcurrentLinkedQueue<>();
    AtomicInteger unanswered = new AtomicInteger();
    List<CompletableFuture<Response>> futures = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      beforeEach.accept(i);
      permits.acquireUninterruptibly();
      futures.add(api.sendAsync(request.apply(i)).whenComplete((response, failure) -> {
        permits.release();
        if (response != null) {
          responses.add(response);
        } else {
          unanswered.incrementAndGet();
        }
      }));
    }
    CompletableFuture.allOf(futures.stream().map(f -> f.handle((r, e) -> r)).toArray(CompletableFuture[]::new)).join();
    return new Results(new ArrayList<>(responses), unanswered.get());
  }
}
