package fr.socle.dataplane;

import fr.socle.catalog.Asset;
import io.vertx.core.Future;

/**
 * Streams one kind of asset source into a {@link DataSink} (a pull's response or a push's request),
 * with back-pressure and without holding the data in memory.
 *
 * <p>Contract: the returned future fails with a {@link SourceUnavailable} when the source cannot be
 * read before the sink was opened, so the caller can still answer a clear error; once the sink is
 * opened, a failure fails the future without ending the sink, and the caller resets it, so that a
 * consumer never takes a truncated body for a complete one. The future succeeds once the body was
 * handed whole to the sink and the sink ended.
 */
public interface SourceStreamer {

  /**
   * @param range the consumer's {@code Range} header (pull only), or null for the whole asset
   */
  Future<Void> stream(Asset asset, String range, DataSink sink);
}
