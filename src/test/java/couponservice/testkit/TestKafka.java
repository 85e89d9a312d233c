package couponservice.testkit;

import couponservice.kafka.EmbeddedKafka;

/** One in-process Kafka broker for the whole test run; each test database gets its own topic prefix. */
public final class TestKafka {
  private static EmbeddedKafka broker;

  private TestKafka() {}

  public static synchronized String bootstrapServers() {
    if (broker == null) {
      try {
        broker = EmbeddedKafka.start(0);
      } catch (Exception e) {
        throw new IllegalStateException("the test Kafka broker did not start", e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          broker.close();
        } catch (Exception e) {
          // the JVM is exiting
        }
      }));
    }
    return broker.bootstrapServers();
  }
}
