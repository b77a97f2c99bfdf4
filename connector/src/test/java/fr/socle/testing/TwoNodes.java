package fr.socle.testing;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/**
 * A provider node and a consumer node of the development federation sharing one real OPA, as the
 * data-plane and transfer tests use them: the commonest {@link LocalFederation}.
 */
public record TwoNodes(LocalFederation federation) implements AutoCloseable {

  /** Starts both nodes; {@code providerSettings} and {@code consumerSettings} override their configuration. */
  public static TwoNodes start(Path work, JsonObject providerSettings, JsonObject consumerSettings) throws Exception {
    return new TwoNodes(LocalFederation.in(work).node(Federation.PROVIDER, "shared", providerSettings)
        .node(Federation.CONSUMER, "shared", consumerSettings).start());
  }

  public OpaServer opa() {
    return federation.opa(Federation.PROVIDER);
  }

  public NodeProcess provider() {
    return federation.node(Federation.PROVIDER);
  }

  public NodeProcess consumer() {
    return federation.node(Federation.CONSUMER);
  }

  @Override
  public void close() throws InterruptedException {
    federation.close();
  }
}
