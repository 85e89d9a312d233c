package couponservice.bench;

import couponservice.kafka.EmbeddedKafka;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the in-process Kafka broker on its own until stopped, for the benchmarks (which run the service
 * in the prod profile against a broker of their own): {@code KafkaBroker <port>}. Benchmark harness, so
 * not in the shipped jar; the dev profile starts the same broker inside the service (ServiceNode).
 */
public final class KafkaBroker {
  private KafkaBroker() {}

  public static void main(String[] args) throws Exception {
    EmbeddedKafka broker = EmbeddedKafka.start(Integer.parseInt(args[0]));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        broker.close();
      } catch (Exception e) {
        System.err.println("broker did not stop cleanly: " + e);
      }
      stopped.countDown();
    }));
    System.out.println("kafka broker listening on " + broker.bootstrapServers());
    stopped.await();
  }
}
