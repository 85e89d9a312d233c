package couponservice.kafka;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A one-node KRaft Kafka (broker and controller) in this JVM, for the dev profile — no broker to install
 * — and the tests. Its data lives in a temporary directory, deleted when it stops.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final int NODE_ID = 1;

  private final KafkaRaftServer server;
  private final Path dataDir;
  private final int port;

  private EmbeddedKafka(KafkaRaftServer server, Path dataDir, int port) {
    this.server = server;
    this.dataDir = dataDir;
    this.port = port;
  }

  /** Starts a broker listening on {@code port} (0: any free port). */
  public static EmbeddedKafka start(int port) throws Exception {
    return start(port, Map.of(), Map.of());
  }

  /**
   * With more listeners, each named after its security protocol (such as {@code SASL_PLAINTEXT} on a port of its
   * own), and the broker properties they need (SASL mechanisms and login lines): for tests of secured clients. The
   * PLAINTEXT listener on {@code port} stays, for the broker itself and for setting up users.
   */
  static EmbeddedKafka start(int port, Map<String, Integer> securedListeners, Map<String, String> brokerProperties)
      throws Exception {
    int brokerPort = port == 0 ? freePort() : port;
    int controllerPort = freePort();
    Path dataDir = Files.createTempDirectory("coupon-kafka-");
    StringBuilder listeners = new StringBuilder("PLAINTEXT://localhost:" + brokerPort);
    StringBuilder protocols = new StringBuilder("PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    securedListeners.forEach((protocol, listenerPort) -> {
      listeners.append(',').append(protocol).append("://localhost:").append(listenerPort);
      protocols.append(',').append(protocol).append(':').append(protocol);
    });
    Properties props = new Properties();
    props.put("process.roles", "broker,controller");
    props.put("node.id", Integer.toString(NODE_ID));
    props.put("controller.quorum.voters", NODE_ID + "@localhost:" + controllerPort);
    props.put("listeners", listeners + ",CONTROLLER://localhost:" + controllerPort);
    props.put("advertised.listeners", listeners.toString());
    props.put("controller.listener.names", "CONTROLLER");
    props.put("listener.security.protocol.map", protocols.toString());
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("log.dirs", dataDir.toString());
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "4");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("auto.create.topics.enable", "false");
    props.putAll(brokerProperties);
    KafkaConfig config = new KafkaConfig(props, false);
    new Formatter()
        .setNodeId(NODE_ID)
        .setClusterId(Uuid.randomUuid().toString())
        .addDirectory(dataDir.toString())
        .setMetadataLogDirectory(dataDir.toString())
        .setControllerListenerName("CONTROLLER")
        .setReleaseVersion(MetadataVersion.latestProduction())
        .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
        .run();
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    try {
      server.startup();
    } catch (RuntimeException e) {
      server.shutdown();
      delete(dataDir);
      throw e;
    }
    return new EmbeddedKafka(server, dataDir, brokerPort);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  public String bootstrapServers() {
    return "localhost:" + port;
  }

  @Override
  public void close() throws IOException {
    server.shutdown();
    server.awaitShutdown();
    delete(dataDir);
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
