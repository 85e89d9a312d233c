package couponservice.testkit;

import couponservice.testkit.ApiClient.Response;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.function.IntFunction;

/** Sends many requests at once, at most {@code inFlight} outstanding, and collects every response. */
public final class Hammer {
  private Hammer() {}

  public static List<Response> send(ApiClient api, int count, int inFlight, IntFunction<HttpRequest> request) {
    Semaphore permits = new Semaphore(inFlight);
    ConcurrentLinkedQueue<Response> responses = new ConcurrentLinkedQueue<>();
    List<CompletableFuture<Response>> futures = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      permits.acquireUninterruptibly();
      futures.add(api.sendAsync(request.apply(i)).whenComplete((response, failure) -> {
        permits.release();
        if (response != null) {
          responses.add(response);
        }
      }));
    }
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
    return new ArrayList<>(responses);
  }
}
