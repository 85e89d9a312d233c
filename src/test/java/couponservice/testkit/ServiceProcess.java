package couponservice.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The service's {@code Main} in a child JVM on this JVM's classpath, so that a test can SIGKILL it or send it
 * SIGTERM for real. Its HTTP, management and remoting ports are free ports of its own; its output goes to
 * {@code target/service-processes/<name>.log}.
 */
public final class ServiceProcess implements AutoCloseable {
  private static final Path LOG_DIRECTORY = Path.of("target", "service-processes");
  private static final List<String> SERVICE_VARIABLE_PREFIXES =
      List.of("COUPON_", "DATABASE_", "KAFKA_", "REDIS_");
  private static final int PROBE_CONNECT_TIMEOUT_MS = 500;
  private static final int PROBE_READ_TIMEOUT_MS = 5_000;

  private final Process process;
  private final int httpPort;
  private final int managementPort;
  private final Path log;

  private ServiceProcess(Process process, int httpPort, int managementPort, Path log) {
    this.process = process;
    this.httpPort = httpPort;
    this.managementPort = managementPort;
    this.log = log;
  }

  /** A node of the prod profile on {@code database} (and its Kafka topics), with {@code environment} added. */
  public static ServiceProcess startProd(String name, TestDatabase database, Map<String, String> environment) {
    return startProd(name, database, environment, ConfigFactory.empty());
  }

  /** The same with {@code settings} (those without an environment variable) over the database's. */
  public static ServiceProcess startProd(String name, TestDatabase database, Map<String, String> environment,
      Config settings) {
    return start(name, prod(environment), settings.withFallback(database.config()));
  }

  /**
   * A node of the prod profile set up by {@code environment} alone, as an operator's deployment sets it up (database,
   * broker and secret included): for starts the environment must make fail.
   */
  public static ServiceProcess startProdFromEnvironment(String name, Map<String, String> environment) {
    return start(name, prod(environment), ConfigFactory.empty());
  }

  private static Map<String, String> prod(Map<String, String> environment) {
    Map<String, String> prod = new HashMap<>(environment);
    prod.put("COUPON_PROFILE", "prod");
    return prod;
  }

  /** A node of the dev profile: H2 files in {@code dataDir}, its in-process Kafka broker on a free port. */
  public static ServiceProcess startDev(String name, Path dataDir) {
    return startDev(name, dataDir, Map.of());
  }

  /** The same with {@code environment} added (e.g. the logging variables). */
  public static ServiceProcess startDev(String name, Path dataDir, Map<String, String> environment) {
    return startDev(name, dataDir, environment, ConfigFactory.empty());
  }

  /** The same with {@code settings} (those without an environment variable). */
  public static ServiceProcess startDev(String name, Path dataDir, Map<String, String> environment, Config settings) {
    Map<String, String> dev = new HashMap<>(Map.of(
        "COUPON_PROFILE", "dev",
        "COUPON_DATA_DIR", dataDir.toString(),
        "COUPON_DEV_KAFKA_PORT", Integer.toString(TestNodes.freePort()),
        // Off, as TestDatabase.config() has it for the prod profile: the rate limit has tests of its own.
        "COUPON_RATE_LIMIT_ENABLED", "false"));
    dev.putAll(environment);
    return start(name, dev, settings);
  }

  private static ServiceProcess start(String name, Map<String, String> environment, Config settings) {
    // The service's own logging (INFO), not the quieter logback-test.xml on the test classpath.
    return start(name, environment, settings, "logback.xml");
  }

  /**
   * Starts {@code java couponservice.node.Main} with {@code environment} and {@code settings} as system properties
   * (settings without an environment variable), logging as {@code logbackConfiguration} says, signing tokens with
   * the tests' secret, and returns at once.
   */
  public static ServiceProcess start(String name, Map<String, String> environment, Config settings,
      String logbackConfiguration) {
    int httpPort = TestNodes.freePort();
    int managementPort = TestNodes.freePort();
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Dlogback.configurationFile=" + logbackConfiguration,
        "-Dcoupon.http.interface=127.0.0.1",
        "-Dpekko.management.http.bind-hostname=127.0.0.1"));
    settings.entrySet().forEach(setting -> command.add("-D" + setting.getKey() + "=" + setting.getValue().unwrapped()));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "couponservice.node.Main"));

    ProcessBuilder builder = new ProcessBuilder(command);
    // Only what the test says: a service setting inherited from the test's environment would change the node.
    builder.environment().keySet().removeIf(variable -> SERVICE_VARIABLE_PREFIXES.stream().anyMatch(variable::startsWith));
    builder.environment().put("COUPON_HTTP_PORT", Integer.toString(httpPort));
    builder.environment().put("COUPON_MANAGEMENT_PORT", Integer.toString(managementPort));
    builder.environment().put("COUPON_REMOTE_PORT", Integer.toString(TestNodes.freePort()));
    builder.environment().put("COUPON_AUTH_JWT_SECRET", TestNodes.JWT_SECRET);
    builder.environment().putAll(environment);
    try {
      Files.createDirectories(LOG_DIRECTORY);
      Path log = LOG_DIRECTORY.resolve(name + ".log");
      builder.redirectErrorStream(true).redirectOutput(log.toFile());
      return new ServiceProcess(builder.start(), httpPort, managementPort, log);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the service process " + name, e);
    }
  }

  public int httpPort() {
    return httpPort;
  }

  public int managementPort() {
    return managementPort;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Waits until {@code /ready} (management port) and {@code GET /health} (API port) both answer 200. */
  public void awaitReady(Duration timeout) {
    Eventually.await(timeout, "the service process ready (log: " + log.toAbsolutePath() + ")", () -> {
      if (!process.isAlive()) {
        throw new AssertionError("the service process exited with " + process.exitValue() + ":\n" + logText());
      }
      return probe(managementPort, "/ready") == 200 && probe(httpPort, "/health") == 200;
    });
  }

  /** SIGKILL: the process ends at once, as in a crash or an OOM kill. */
  public void kill() {
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(10));
  }

  /** SIGTERM: the process runs its coordinated shutdown, as when an orchestrator stops it. */
  public void terminate() {
    process.destroy();
  }

  /** Waits for the process to end; returns its exit code. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("the service process did not exit within " + timeout + ":\n" + logText());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for the service process to exit", e);
    }
  }

  /** Waits until the process has written {@code text}; fails at once if it exits without. */
  public void awaitLog(String text, Duration timeout) {
    Eventually.await(timeout, "the service process writing '" + text + "'", () -> {
      String written = logText();
      if (!process.isAlive() && !written.contains(text)) {
        throw new AssertionError("the service process exited with " + process.exitValue() + ":\n" + written);
      }
      return written.contains(text);
    });
  }

  /**
   * Waits for a process that must not start to exit, checks that it exited with 1, and returns the one line on which
   * it said why ({@code coupon-service cannot start: ...}).
   */
  public String refusal(Duration timeout) {
    awaitExit(timeout);
    String output = logText();
    if (process.exitValue() != 1) {
      throw new AssertionError("the service process exited with " + process.exitValue() + ", not 1:\n" + output);
    }
    List<String> refusals = output.lines().filter(line -> line.startsWith("coupon-service cannot start: ")).toList();
    if (refusals.size() != 1) {
      throw new AssertionError("not one 'cannot start' line:\n" + output);
    }
    return refusals.get(0);
  }

  /** Everything the process wrote so far (stdout and stderr). */
  public String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(its log " + log + " cannot be read: " + e.getMessage() + ")";
    }
  }

  /**
   * The status of {@code GET path} on a new connection to 127.0.0.1:{@code port} (no connection reuse, so
   * that a port that stopped accepting is seen at once), or -1 when it refuses or fails.
   */
  public static int probe(int port, String path) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), PROBE_CONNECT_TIMEOUT_MS);
      socket.setSoTimeout(PROBE_READ_TIMEOUT_MS);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return statusOf(socket.getInputStream());
    } catch (IOException refusedOrFailed) {
      return -1;
    }
  }

  /** The status code of an HTTP/1.1 status line ({@code HTTP/1.1 200 OK}), -1 if there is none. */
  private static int statusOf(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
      line.append((char) c);
    }
    String[] parts = line.toString().split(" ");
    return parts.length >= 2 && parts[0].startsWith("HTTP/") && parts[1].matches("\\d{3}") ? Integer.parseInt(parts[1]) : -1;
  }

  /** Kills the process if a test left it running. */
  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
  }
}
