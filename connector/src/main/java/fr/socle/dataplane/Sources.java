package fr.socle.dataplane;

import fr.socle.catalog.Asset;
import fr.socle.catalog.AssetSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;

/**
 * Every kind of asset source behind one {@link SourceStreamer}: a file under the data directory (with
 * its digest and byte ranges), an HTTP(S) backend, or a SQL query on a configured database exported as
 * CSV. Whoever hands data over, by pull or by push, streams an asset without knowing its kind.
 */
public final class Sources implements SourceStreamer {

  private final SourceStreamer files;
  private final SourceStreamer http;
  private final SourceStreamer sql;

  /**
   * @param dataDir the directory file sources are read from, and never outside of
   * @param databases the databases SQL sources may name, by their configured name
   * @param timeoutMillis how long a backend or a database may keep a stream waiting
   */
  public Sources(Vertx vertx, Path dataDir, Map<String, SqlDatabase> databases, long timeoutMillis) {
    this.files = new FileStreamer(vertx, dataDir, new FileDigests(vertx));
    this.http = new HttpStreamer(vertx, timeoutMillis);
    this.sql = new SqlCsvStreamer(vertx, databases, timeoutMillis);
  }

  @Override
  public Future<Void> stream(Asset asset, String range, DataSink sink) {
    return streamerFor(asset).stream(asset, range, sink);
  }

  private SourceStreamer streamerFor(Asset asset) {
    if (asset.source() instanceof AssetSource.FileSource) {
      return files;
    }
    return asset.source() instanceof AssetSource.HttpSource ? http : sql;
  }
}
