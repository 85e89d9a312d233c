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
import java.util.concurrent.TimeUnit;

/** A redis-server of a test's own, without persistence, on a free port that stays the same across restarts. */
final class RedisServerProcess implements AutoCloseable {
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(10);

  private final int port;
  private Process process;

  RedisServerProcess() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
  }

  int port() {
    return port;
  }

  /** Starts the server and returns once it answers PING. */
  void start() throws IOException, InterruptedException {
    process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no")
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
      return "+PONG".equals(in.readLine());
    } catch (IOException notYet) {
      return false;
    }
  }
}
