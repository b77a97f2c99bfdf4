package fr.socle.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL cluster from the distribution's binaries (installed by launchers/setup.sh),
 * in a temporary directory, on a free loopback port. PostgreSQL refuses to run as root, so as root
 * the cluster runs as the {@code postgres} system user the package creates.
 */
public final class PostgresServer implements AutoCloseable {

  private final Path bin;
  private final Path dir;
  private final int port;

  private PostgresServer(Path bin, Path dir, int port) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
  }

  public static PostgresServer start() throws IOException, InterruptedException {
    return start(false);
  }

  /**
   * @param durable fsync on (PostgreSQL's default), for benchmarks of durable writes; tests run
   *     with fsync off, which keeps crash safety of the process but not of the machine
   */
  public static PostgresServer start(boolean durable) throws IOException, InterruptedException {
    Path bin = binaries();
    Path dir = Files.createTempDirectory("socle-pg", PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwxr-xr-x")));
    int port = OpaServer.freePort();
    PostgresServer server = new PostgresServer(bin, dir, port);
    if (isRoot()) {
      run(List.of("chown", "postgres:postgres", dir.toString()));
    }
    server.pg(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "socle",
        "--auth=trust", "-E", "UTF8", "--no-sync"));
    server.pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-t", "30",
        "-l", dir.resolve("server.log").toString(), "-o",
        "-p " + port + " -c listen_addresses=127.0.0.1 -k " + dir + (durable ? "" : " -c fsync=off"), "start"));
    return server;
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  public String user() {
    return "socle";
  }

  /** A fresh, empty database for one test. */
  public String createDatabase(String name) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl(), user(), "")) {
      c.createStatement().execute("CREATE DATABASE " + name);
    }
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w",
        "stop"));
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private void pg(List<String> command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (isRoot()) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    run(full);
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed:\n" + out);
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static Path binaries() throws IOException {
    Path base = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(base)) {
      try (Stream<Path> versions = Files.list(base)) {
        var found = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
            .max(Comparator.naturalOrder());
        if (found.isPresent()) {
          return found.get();
        }
      }
    }
    throw new IOException("PostgreSQL server binaries are not installed under " + base
        + ": run launchers/setup.sh (it installs the distribution's postgresql package)");
  }
}
