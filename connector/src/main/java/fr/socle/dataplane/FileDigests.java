package fr.socle.dataplane;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SHA-256 digests of source files, computed once on a worker thread and kept while the file's size
 * and modification time stay the same. Bounded: the least recently used entries are dropped.
 *
 * <p>A file up to {@link #WAIT_LIMIT} bytes is hashed before its first response; a larger one is
 * hashed in the background and its first responses go without a digest, rather than making the
 * consumer wait seconds for the first byte.
 */
final class FileDigests {

  private record Key(Path path, long size, long modified) {
  }

  private static final int MAX_ENTRIES = 1024;
  static final long WAIT_LIMIT = 64L << 20;

  private final Vertx vertx;
  // Touched only on the event loop that serves the data plane.
  private final Map<Key, String> cache = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, String> eldest) {
      return size() > MAX_ENTRIES;
    }
  };

  FileDigests(Vertx vertx) {
    this.vertx = vertx;
  }

  private final Map<Key, Future<String>> computing = new HashMap<>();

  /** The base64 SHA-256 of {@code file}, or null when it is large and not known yet. */
  Future<String> sha256(Path file, long size, long modified) {
    Key key = new Key(file, size, modified);
    String known = cache.get(key);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    Future<String> pending = computing.computeIfAbsent(key, k -> vertx.executeBlocking(() -> compute(file), false)
        .onComplete(done -> {
          computing.remove(k);
          if (done.succeeded()) {
            cache.put(k, done.result());
          }
        }));
    return size <= WAIT_LIMIT ? pending : Future.succeededFuture(null);
  }

  private static String compute(Path file) throws IOException, NoSuchAlgorithmException {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
    }
    return Base64.getEncoder().encodeToString(digest.digest());
  }
}
