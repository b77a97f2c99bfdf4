package fr.socle.testing;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/**
 * A provider node and a consumer node of the development federation sharing one real OPA, as the
 * data-plane and transfer tests use them; closing stops the nodes, then OPA.
 */
public record TwoNodes(OpaServer opa, NodeProcess provider, NodeProcess consumer) implements AutoCloseable {

  /** Starts both nodes; {@code providerSettings} and {@code consumerSettings} override their configuration. */
  public static TwoNodes start(Path work, JsonObject providerSettings, JsonObject consumerSettings) throws Exception {
    OpaServer opa = OpaServer.start(work.resolve("opa.log"));
    NodeProcess provider = null;
    try {
      provider = NodeProcess.start(work, Federation.PROVIDER, opa.url(), providerSettings);
      return new TwoNodes(opa, provider, NodeProcess.start(work, Federation.CONSUMER, opa.url(), consumerSettings));
    } catch (Exception | Error e) {
      if (provider != null) {
        provider.close();
      }
      opa.close();
      throw e;
    }
  }

  @Override
  public void close() throws InterruptedException {
    try {
      provider.close();
    } finally {
      try {
        consumer.close();
      } finally {
        opa.close();
      }
    }
  }
}
