package fr.socle.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Policy bundles for tests: the one {@code launchers/build-policy-bundle.sh} builds, exactly as the
 * demo and operators get it, and deliberately wrong ones (unsigned, altered after signing, signed by
 * another key, signed at another revision) to check that OPA and the node refuse them.
 */
public final class PolicyBundles {

  /** A built bundle and what the build wrote beside it. */
  public record Bundle(Path tarball, String revision, Path revisionFile, Path opaConfig) {
  }

  private static Bundle canonical;

  private PolicyBundles() {
  }

  /** The signed bundle of {@code policies/}, built once per test JVM by the launcher script. */
  public static synchronized Bundle canonical() throws IOException, InterruptedException {
    if (canonical == null) {
      Path out = Paths.root().resolve("connector/target/policy-bundle");
      run(List.of(Paths.root().resolve("launchers/build-policy-bundle.sh").toString(), "--out", out.toString()),
          out.getParent());
      canonical = new Bundle(out.resolve("socle-policies.tar.gz"),
          Files.readString(out.resolve("socle-policies.revision")).strip(), out.resolve("socle-policies.revision"),
          out.resolve("opa-config.json"));
    }
    return canonical;
  }

  /** {@code policies/} built at {@code revision}, signed with {@code signingKey}, or unsigned when null. */
  public static Path build(Path dir, String revision, Path signingKey) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path out = dir.resolve(revision + (signingKey == null ? "-unsigned" : "-signed") + ".tar.gz");
    List<String> command = new ArrayList<>(List.of(Paths.opa().toString(), "build", "--bundle",
        "policies", "--ignore", "*_test.rego", "--ignore", "templates", "--revision", revision,
        "--output", out.toAbsolutePath().toString()));
    if (signingKey != null) {
      command.addAll(List.of("--signing-key", signingKey.toAbsolutePath().toString(), "--signing-alg", "ES256",
          "--verification-key-id", "socle-policy-signing"));
    }
    // From the repository root, as the launcher script builds: file names in the bundle are policies/...
    run(command, Paths.root());
    return out;
  }

  /**
   * The canonical bundle with one byte of a policy file flipped after signing, repacked. The byte is
   * the case of a letter in a comment, so the altered Rego still compiles: only the signature can
   * tell the difference.
   */
  public static Path altered(Path dir) throws IOException, InterruptedException {
    Path unpacked = dir.resolve("altered");
    Files.createDirectories(unpacked);
    run(List.of("tar", "-xzf", canonical().tarball().toString(), "-C", unpacked.toString()), dir);
    Path rego = unpacked.resolve("policies/socle/baseline.rego");
    byte[] bytes = Files.readAllBytes(rego);
    String text = new String(bytes, StandardCharsets.UTF_8);
    int comment = text.indexOf("# ");
    if (comment < 0 || !Character.isLetter(bytes[comment + 2])) {
      throw new IllegalStateException("baseline.rego no longer starts a line with a comment to alter");
    }
    bytes[comment + 2] ^= 0x20;
    Files.write(rego, bytes);
    Path out = dir.resolve("altered.tar.gz");
    run(List.of("tar", "-czf", out.toString(), "-C", unpacked.toString(), ".manifest", ".signatures.json",
        "data.json", "policies"), dir);
    return out;
  }

  private static void run(List<String> command, Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path log = Files.createTempFile("socle-command", ".log");
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().put("OPA", Paths.opa().toString());
    Process process = builder.start();
    if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IOException(String.join(" ", command) + " failed:\n" + Files.readString(log));
    }
    Files.delete(log);
  }
}
