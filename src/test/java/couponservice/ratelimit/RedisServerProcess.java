package couponservice.ratelimit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of a test's own, without persistence, on a free port that stays the same across restarts, with
 * optional settings of its own (such as {@code --requirepass} or {@code --user} ACL lines).
 */
public final class RedisServerProcess implements AutoCloseable {
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(10);

  private final int port;
  private final List<String> settings;
  private Process process;

  public RedisServerProcess(String... settings) throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    this.settings = List.of(settings);
  }

  public int port() {
    return port;
  }

  /** Starts the server and returns once it answers PING (with PONG, or by asking for authentication). */
  public void start() throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"));
    command.addAll(settings);
    process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    Instant deadline = Instant.now().plus(STARTUP_TIMEOUT);
    while (!answersPing()) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server on port " + port + " exited with " + process.exitValue());
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("redis-server on port " + port + " did not answer PING within " + STARTUP_TIMEOUT);
      }
      Thread.sleep(20);
    }
  }

  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      stop();
    }
  }

  private boolean answersPing() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      socket.setSoTimeout(500);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      String answer = in.readLine();
      return "+PONG".equals(answer) || answer != null && answer.startsWith("-NOAUTH");
    } catch (IOException notYet) {
      return false;
    }
  }
}
