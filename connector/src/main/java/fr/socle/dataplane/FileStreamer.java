package fr.socle.dataplane;

import fr.socle.catalog.Asset;
import fr.socle.catalog.AssetSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.MultiMap;
import java.nio.file.Path;

/**
 * Serves file sources: the whole file with its length and SHA-256 digest ({@code Repr-Digest},
 * RFC 9530) so the consumer can check what it received, or one byte range (206).
 */
final class FileStreamer implements SourceStreamer {

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
          return digest.compose(sha -> FileCopy.open(vertx, file).compose(copy -> {
            MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Content-Type", asset.contentType())
                .add("Accept-Ranges", "bytes");
            if (range == null) {
              headers.add("Content-Length", Long.toString(size));
              if (sha != null) {
                headers.add("Repr-Digest", "sha-256=:" + sha + ":");
              }
            } else {
              headers.add("Content-Length", Long.toString(range.length()))
                  .add("Content-Range", "bytes " + range.start() + "-" + range.endInclusive() + "/" + size);
            }
            long start = range == null ? 0 : range.start();
            long length = range == null ? size : range.length();
            // Not ended on failure: the caller resets the sink, so a cut body never looks complete.
            return sink.open(range == null ? 200 : 206, headers)
                .recover(e -> copy.close().transform(v -> Future.failedFuture(e)))
                .compose(body -> copy.to(start, length, body));
          }));
        });
  }
}
