package fr.socle.dataplane;

import fr.socle.catalog.Asset;
import fr.socle.catalog.AssetSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
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
  public Future<Void> stream(Asset asset, HttpServerRequest request, HttpServerResponse response) {
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
          ByteRange range = ByteRange.parse(request.getHeader("Range"), size);
          if (range == ByteRange.UNSATISFIABLE) {
            response.setStatusCode(416).putHeader("Content-Range", "bytes */" + size).end();
            return Future.succeededFuture();
          }
          Future<String> digest = range == null ? digests.sha256(file, props.size(), props.lastModifiedTime())
              : Future.succeededFuture(null);
          return digest.compose(sha -> FileCopy.open(vertx, file).compose(copy -> {
            response.putHeader("Content-Type", asset.contentType()).putHeader("Accept-Ranges", "bytes");
            if (range == null) {
              response.putHeader("Content-Length", Long.toString(size));
              if (sha != null) {
                response.putHeader("Repr-Digest", "sha-256=:" + sha + ":");
              }
              return copy.to(0, size, response);
            }
            response.setStatusCode(206).putHeader("Content-Length", Long.toString(range.length()))
                .putHeader("Content-Range", "bytes " + range.start() + "-" + range.endInclusive() + "/" + size);
            return copy.to(range.start(), range.length(), response);
          }));
        });
  }
}
