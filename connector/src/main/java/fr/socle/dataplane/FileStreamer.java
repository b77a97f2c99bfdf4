package fr.socle.dataplane;

import fr.socle.catalog.Asset;
import fr.socle.catalog.AssetSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.MultiMap;
import java.nio.file.Path;

/**
 * Serves file sources: the whole file with its length and SHA-256 digest ({@code Repr-Digest},
 * RFC 9530) so the consumer can check what it received, or one byte range (206).
 */
final class FileStreamer implements SourceStreamer {

  // Vert.x reads files 8 KiB at a time by default: far too small to fill TLS records and sockets.
  private static final int READ_BUFFER = 256 * 1024;

  private final Vertx vertx;
  private final Path dataDir;
  private final FileDigests digests;

  FileStreamer(Vertx vertx, Path dataDir, FileDigests digests) {
    this.vertx = vertx;
    this.dataDir = dataDir;
    this.digests = digests;
  }

  @Override
  public Future<Void> stream(Asset asset, String rangeHeader, DataSink sink) {
    Path file = dataDir.resolve(((AssetSource.FileSource) asset.source()).path()).normalize();
    if (!file.startsWith(dataDir)) {
      return Future.failedFuture(new SourceUnavailable("the source of asset " + asset.id()
          + " lies outside the node's data directory"));
    }
    return vertx.fileSystem().props(file.toString())
        .recover(e -> Future.failedFuture(new SourceUnavailable("the file of asset " + asset.id()
            + " cannot be read: " + e.getMessage())))
        .compose(props -> {
          long size = props.size();
          ByteRange range = ByteRange.parse(rangeHeader, size);
          if (range == ByteRange.UNSATISFIABLE) {
            return sink.open(416, MultiMap.caseInsensitiveMultiMap().add("Content-Range", "bytes */" + size))
                .compose(body -> body.end());
          }
          Future<String> digest = range == null ? digests.sha256(file, props.size(), props.lastModifiedTime())
              : Future.succeededFuture(null);
          return digest.compose(sha -> vertx.fileSystem().open(file.toString(), new OpenOptions().setRead(true)
                  .setWrite(false).setCreate(false))
              .compose(handle -> {
                handle.setReadBufferSize(READ_BUFFER);
                MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Content-Type", asset.contentType())
                    .add("Accept-Ranges", "bytes");
                int status = 200;
                if (range == null) {
                  headers.add("Content-Length", Long.toString(size));
                  if (sha != null) {
                    headers.add("Repr-Digest", "sha-256=:" + sha + ":");
                  }
                } else {
                  handle.setReadPos(range.start()).setReadLength(range.length());
                  status = 206;
                  headers.add("Content-Length", Long.toString(range.length()))
                      .add("Content-Range", "bytes " + range.start() + "-" + range.endInclusive() + "/" + size);
                }
                // Not ended on failure: the caller resets the sink, so a cut body never looks complete.
                // The file is closed whatever happens: a pipe ends its destination, never its source.
                return sink.open(status, headers).compose(body -> handle.pipe().endOnFailure(false).to(body))
                    .eventually(() -> handle.close().otherwiseEmpty());
              }));
        });
  }
}
