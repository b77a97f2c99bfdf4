package fr.socle.dataplane;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The bodies a consumer node receives, on disk in one directory ({@code <dataDir>/received}): each
 * kept as the file named after its transfer, written first to a temporary file beside it, and all of
 * them within one disk budget ({@code limits.maxReceivedDiskBytes}).
 *
 * <p>Why a budget: each body is bounded ({@link ReceivedBody}), but a provider that pushes many
 * transfers, or many bodies at once, could otherwise fill the consumer's disk, and with it the
 * database and the audit log that share it. The files kept and every upload in progress count: an
 * upload reserves its announced length before its first byte is written or, sent chunked, each chunk
 * as it arrives; a reservation beyond the budget is refused and changes nothing. Files an operator
 * removes are counted off at the next start, or when an upload is next refused for want of room (the
 * directory is counted again then).
 *
 * <p>One upload per transfer at a time ({@link #begin}): a transfer has one file, and a second upload
 * of it could only race the first for that file while holding a second share of the budget.
 *
 * <p>Thread-safe: uploads arrive on every event loop. Counting the directory and moving a body into
 * place run on worker threads, one at a time, so that a count never misses nor counts twice a body
 * moved meanwhile.
 */
public final class ReceivedFiles {

  private static final String TEMPORARY_SUFFIX = ".part";

  private final Vertx vertx;
  private final Path directory;
  private final long maxBytes;
  private final OrderedFileWriter.Opener opener;
  private final Map<String, Upload> uploads = new ConcurrentHashMap<>();
  /** Held, on worker threads only, while the directory is counted or a body moved into it. */
  private final Object disk = new Object();
  // Guarded by this; taken inside disk, never the other way round.
  private long kept;
  private long reserved;
  private volatile boolean opened;

  /**
   * @param directory where received bodies are kept ({@code <dataDir>/received})
   * @param maxBytes the disk they may take, uploads in progress included ({@code limits.maxReceivedDiskBytes})
   */
  public ReceivedFiles(Vertx vertx, Path directory, long maxBytes) {
    this(vertx, directory, maxBytes, OrderedFileWriter.NEW_FILE);
  }

  /** As above; {@code opener} opens each temporary file (a test puts a disk that fills up in its place). */
  public ReceivedFiles(Vertx vertx, Path directory, long maxBytes, OrderedFileWriter.Opener opener) {
    this.vertx = vertx;
    this.directory = directory;
    this.maxBytes = maxBytes;
    this.opener = opener;
  }

  /** The budget, in bytes. */
  public long maxBytes() {
    return maxBytes;
  }

  /** The received body of transfer {@code id}; it exists once an upload of it was kept. */
  public Path file(String id) {
    return directory.resolve(id);
  }

  /** Bytes counted against the budget now: the files kept and the reservations of uploads in progress. */
  public synchronized long used() {
    return kept + reserved;
  }

  /**
   * Creates the directory, deletes the temporary files a crash left there and counts the files kept,
   * once, before the first upload begins; then succeeds at once (after a failure, it is tried again).
   */
  public Future<Void> open() {
    if (opened) {
      return Future.succeededFuture();
    }
    // A task per caller rather than one shared future, whose callbacks would run on the first caller's
    // event loop: each upload must stay on its own request's.
    return vertx.executeBlocking(() -> {
      synchronized (disk) {
        if (!opened) {
          Files.createDirectories(directory);
          // No upload has begun (each waits for this): a temporary file here is one a crash cut short.
          for (Path p : list()) {
            if (temporary(p)) {
              Files.deleteIfExists(p);
            }
          }
          count();
          opened = true;
        }
      }
      return null;
    }, false);
  }

  /**
   * Starts an upload of transfer {@code id}'s body, with nothing reserved yet; null while another upload of
   * it is in progress. The caller {@link Upload#end}s it whatever happens.
   */
  public Upload begin(String id) {
    Upload upload = new Upload(id);
    return uploads.putIfAbsent(id, upload) == null ? upload : null;
  }

  private List<Path> list() throws IOException {
    try (Stream<Path> all = Files.list(directory)) {
      return all.toList();
    }
  }

  private static boolean temporary(Path p) {
    String name = p.getFileName().toString();
    return name.startsWith(".") && name.endsWith(TEMPORARY_SUFFIX);
  }

  /**
   * Counts the files kept; the caller holds {@code disk}, on a worker thread. Temporary files are left out:
   * those of uploads in progress are counted by their reservations.
   */
  private void count() throws IOException {
    long total = 0;
    for (Path p : list()) {
      if (!temporary(p)) {
        try {
          total += Files.isRegularFile(p) ? Files.size(p) : 0;
        } catch (NoSuchFileException removedMeanwhile) {
          // An operator's clean-up: it no longer takes any room.
        }
      }
    }
    synchronized (this) {
      kept = total;
    }
  }

  /** One body on its way to disk: its temporary file and its share of the budget. */
  public final class Upload {

    private final String id;
    private final Path temporary;
    // Guarded by ReceivedFiles.this.
    private long reservedBytes;
    private boolean ended;

    private Upload(String id) {
      this.id = id;
      this.temporary = directory.resolve("." + id + "." + UUID.randomUUID() + TEMPORARY_SUFFIX);
    }

    /** Creates the temporary file, which no other upload shares, and its writer. */
    public Future<OrderedFileWriter> writer() {
      return OrderedFileWriter.create(vertx, temporary, opener);
    }

    /**
     * Grows this upload's reservation to {@code total} bytes; false, with nothing more reserved, when
     * the budget has no room for it.
     */
    public boolean cover(long total) {
      synchronized (ReceivedFiles.this) {
        if (ended) {
          return false;
        }
        if (total <= reservedBytes) {
          return true;
        }
        // Written as a difference: maxBytes may be near Long.MAX_VALUE.
        if (total - reservedBytes > maxBytes - kept - reserved) {
          return false;
        }
        reserved += total - reservedBytes;
        reservedBytes = total;
        return true;
      }
    }

    /**
     * {@link #cover}; when refused, counts the kept files again first and tries once more, since an
     * operator may have removed some to make room.
     */
    public Future<Boolean> coverCounted(long total) {
      if (cover(total)) {
        return Future.succeededFuture(true);
      }
      return vertx.executeBlocking(() -> {
        synchronized (disk) {
          count();
        }
        return null;
      }, false).map(v -> cover(total));
    }

    /**
     * Moves the written body over the transfer's file (an earlier copy is replaced, atomically) and
     * counts it as kept, in place of the copy it replaces and of its reservation.
     */
    public Future<Void> keep() {
      return vertx.executeBlocking(() -> {
        synchronized (disk) {
          Path target = file(id);
          long size = Files.size(temporary);
          long replaced = Files.isRegularFile(target) ? Files.size(target) : 0;
          Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
          synchronized (ReceivedFiles.this) {
            reserved -= reservedBytes;
            reservedBytes = 0;
            kept = Math.max(0, kept + size - replaced);
          }
        }
        return null;
      }, false);
    }

    /**
     * Ends the upload: what it reserved and did not keep is given back, and the transfer may be
     * uploaded again. Called once its temporary file is gone; later calls do nothing.
     */
    public void end() {
      synchronized (ReceivedFiles.this) {
        if (ended) {
          return;
        }
        ended = true;
        reserved -= reservedBytes;
        reservedBytes = 0;
      }
      uploads.remove(id, this);
    }
  }
}
