package couponservice.operations;

import couponservice.testkit.TestNodes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of a test's own that accepts only TLS connections with a password: {@code initdb} into a
 * temporary directory, a self-signed certificate for localhost, {@code hostssl ... scram-sha-256} as the only TCP
 * line of pg_hba.conf, a free port. The superuser is reached through the instance's unix socket only. PostgreSQL
 * refuses to run as root, so as root its programs run as the {@code postgres} OS user.
 */
final class PostgresTlsServer implements AutoCloseable {
  private static final Path INSTALLATIONS = Path.of("/usr/lib/postgresql");

  private final Path bin;
  private final Path dir;
  private final Path data;
  private final int port;
  private boolean started;

  private PostgresTlsServer(Path bin, Path dir, int port) {
    this.bin = bin;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.port = port;
  }

  /** The newest installed server's programs (Debian's layout) ({@code .../bin} holding initdb and pg_ctl), if any. */
  static Optional<Path> binaries() throws IOException {
    if (!Files.isDirectory(INSTALLATIONS)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(INSTALLATIONS)) {
      return versions.map(version -> version.resolve("bin"))
          .filter(bin -> Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl")))
          .filter(bin -> bin.getParent().getFileName().toString().matches("\\d+"))
          .max(Comparator.comparingInt(bin -> Integer.parseInt(bin.getParent().getFileName().toString())));
    }
  }

  /** Starts a server and creates {@code role} (with {@code password}) and its database {@code database}. */
  static PostgresTlsServer start(Path bin, String role, String password, String database) throws Exception {
    Path dir = Files.createTempDirectory("coupon-pg-tls-");
    PostgresTlsServer server = new PostgresTlsServer(bin, dir, TestNodes.freePort());
    try {
      server.initialize();
      server.run(bin.resolve("pg_ctl").toString(), "-D", server.data.toString(), "-l", dir.resolve("server.log").toString(),
          "-w", "-t", "60", "start");
      server.started = true;
      server.psql("CREATE ROLE \"" + role + "\" LOGIN PASSWORD '" + password.replace("'", "''") + "'");
      server.psql("CREATE DATABASE \"" + database + "\" OWNER \"" + role + "\"");
      return server;
    } catch (Exception | AssertionError e) {
      server.close();
      throw e;
    }
  }

  int port() {
    return port;
  }

  private void initialize() throws Exception {
    if (asRoot()) {
      UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
      Files.setOwner(dir, users.lookupPrincipalByName("postgres"));
    }
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    run(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "--auth-local=trust",
        "--auth-host=reject", "--no-sync", "-E", "UTF8");
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
        "-keyout", data.resolve("server.key").toString(), "-out", data.resolve("server.crt").toString());
    // The server refuses a key others can read.
    Files.setPosixFilePermissions(data.resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
    append("postgresql.conf", String.join("\n",
        "port = " + port,
        "listen_addresses = '127.0.0.1'",
        "unix_socket_directories = '" + dir + "'",
        "ssl = on",
        "ssl_cert_file = 'server.crt'",
        "ssl_key_file = 'server.key'",
        "fsync = off",
        "max_connections = 60",
        ""));
    write("pg_hba.conf", String.join("\n",
        "local all postgres trust",
        "hostssl all all 127.0.0.1/32 scram-sha-256",
        ""));
  }

  /** A statement as the superuser, over the unix socket. */
  private void psql(String sql) throws Exception {
    run(bin.resolve("psql").toString(), "-h", dir.toString(), "-p", Integer.toString(port), "-U", "postgres",
        "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql);
  }

  private void append(String file, String lines) throws IOException {
    Files.writeString(data.resolve(file), lines, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }

  private void write(String file, String content) throws IOException {
    Files.writeString(data.resolve(file), content, StandardCharsets.UTF_8);
  }

  /** Runs a program (as postgres when this JVM is root), failing with its output when it fails. */
  private void run(String... command) throws Exception {
    List<String> line = new ArrayList<>();
    if (asRoot()) {
      line.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    line.addAll(List.of(command));
    Path output = Files.createTempFile("coupon-pg-tls-command-", ".log");
    try {
      Process process = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(output.toFile()).start();
      if (!process.waitFor(90, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
        throw new IllegalStateException(String.join(" ", command) + " did not finish within 90 s");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue() + ": "
            + Files.readString(output));
      }
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static boolean asRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** Stops the server (at once: its data is thrown away) and deletes its directory. */
  @Override
  public void close() throws Exception {
    try {
      if (started) {
        run(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop");
      }
    } finally {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
    }
  }
}
