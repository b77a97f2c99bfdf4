package fr.socle.audit;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/**
 * Keeps every signed policy bundle a node ran with, so that any recorded decision can be replayed
 * against the exact rules that took it ({@code socle audit replay}), years later.
 *
 * <p>Bundles are stored content-addressed, {@code <dir>/sha256-<hex of the file>.tar.gz}, unchanged:
 * the file still holds OPA's {@code .signatures.json}, so whoever replays verifies it with the
 * federation's policy-signing key instead of trusting this directory. Two builds of the same policies
 * share a revision but not a signature (ECDSA is randomised), hence the file hash as name and the
 * revision read from the bundle's {@code .manifest} when looking one up.
 */
public final class PolicyBundleArchive {

  /** One kept bundle: its revision, the SHA-256 of the file, where it is, and whether it was new. */
  public record Kept(String revision, String sha256, Path file, boolean signed, boolean added) {
    public JsonObject toJson() {
      return new JsonObject().put("revision", revision).put("sha256", sha256)
          .put("file", file.getFileName().toString()).put("signed", signed);
    }
  }

  /** What a bundle file says of itself. */
  public record Manifest(String revision, boolean signed) {}

  private static final long MAX_BUNDLE_BYTES = 64L * 1024 * 1024;

  private PolicyBundleArchive() {}

  /** Copies {@code bundle} into {@code dir} unless a file of the same content is there; blocking. */
  public static Kept keep(Path bundle, Path dir) throws IOException {
    if (Files.size(bundle) > MAX_BUNDLE_BYTES) {
      throw new IOException("policy bundle " + bundle + " holds " + Files.size(bundle) + " bytes, at most "
          + MAX_BUNDLE_BYTES + " accepted");
    }
    byte[] bytes = Files.readAllBytes(bundle);
    Manifest manifest = manifest(bytes);
    String sha = sha256(bytes);
    Files.createDirectories(dir);
    Path target = dir.resolve("sha256-" + sha + ".tar.gz");
    boolean added = !Files.exists(target);
    if (added) {
      // Written aside then renamed: a crash never leaves a truncated file under a content name.
      Path tmp = Files.createTempFile(dir, ".keep", ".tmp");
      Files.write(tmp, bytes);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
    return new Kept(manifest.revision(), sha, target, manifest.signed(), added);
  }

  /**
   * The kept bundles of {@code revision} in {@code dir}, or of {@code dir} itself when it is a file.
   *
   * @return the first match in file-name order, or null
   */
  public static Path find(Path dir, String revision) throws IOException {
    if (Files.isRegularFile(dir)) {
      return dir;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.tar.gz")) {
      Path found = null;
      for (Path file : files) {
        String r = manifest(Files.readAllBytes(file)).revision();
        if (revision.equals(r) && (found == null || file.getFileName().toString()
            .compareTo(found.getFileName().toString()) < 0)) {
          found = file;
        }
      }
      return found;
    }
  }

  /** Reads the bundle's {@code .manifest} revision and whether it carries {@code .signatures.json}. */
  public static Manifest manifest(byte[] tarGz) throws IOException {
    String revision = null;
    boolean signed = false;
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(tarGz))) {
      byte[] header = new byte[512];
      while (in.readNBytes(header, 0, 512) == 512) {
        String name = text(header, 0, 100);
        if (name.isEmpty()) {
          break; // end-of-archive blocks
        }
        String prefix = text(header, 345, 155);
        if (!prefix.isEmpty()) {
          name = prefix + "/" + name;
        }
        long size = Long.parseLong(text(header, 124, 12).isEmpty() ? "0" : text(header, 124, 12), 8);
        if (size < 0 || size > MAX_BUNDLE_BYTES) {
          throw new IOException("tar entry " + name + " has an impossible size " + size);
        }
        byte[] content = in.readNBytes((int) size);
        in.skipNBytes((512 - size % 512) % 512);
        String base = name.startsWith("/") ? name.substring(1) : name;
        if (base.equals(".manifest")) {
          try {
            revision = new JsonObject(new String(content, StandardCharsets.UTF_8)).getString("revision");
          } catch (DecodeException | ClassCastException e) {
            throw new IOException("the bundle's .manifest is not a JSON object with a string revision");
          }
        } else if (base.equals(".signatures.json")) {
          signed = true;
        }
      }
    } catch (NumberFormatException e) {
      throw new IOException("not a tar.gz bundle: " + e.getMessage());
    }
    return new Manifest(revision, signed);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }

  private static String text(byte[] header, int from, int length) {
    int end = from;
    while (end < from + length && header[end] != 0) {
      end++;
    }
    return new String(header, from, end - from, StandardCharsets.US_ASCII).trim();
  }
}
