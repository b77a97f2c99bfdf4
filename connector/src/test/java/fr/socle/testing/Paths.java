package fr.socle.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository's pieces are, as the build hands them to tests. */
public final class Paths {

  private Paths() {
  }

  public static Path root() {
    String root = System.getProperty("socle.root");
    Path p = root != null ? Path.of(root) : Path.of("..").toAbsolutePath().normalize();
    if (!Files.isDirectory(p.resolve("policies"))) {
      throw new IllegalStateException("cannot find the repository root (policies/) from " + p);
    }
    return p;
  }

  public static Path opa() {
    String opa = System.getProperty("socle.opa");
    Path p = opa != null && !opa.isBlank() ? Path.of(opa) : root().resolve(".tools/bin/opa");
    if (!Files.isExecutable(p)) {
      throw new IllegalStateException("OPA is not installed at " + p + ": run launchers/setup.sh first");
    }
    return p;
  }

  public static Path policies() {
    return root().resolve("policies");
  }

  public static Path certs() {
    return root().resolve("certs-dev");
  }
}
