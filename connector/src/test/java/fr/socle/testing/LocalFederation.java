package fr.socle.testing;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Nodes of the development federation ({@code certs-dev/}, members named in {@link Federation}), each
 * in its own JVM, and the real OPA sidecars they ask: a node has its own OPA unless it names the one
 * of another. Every OPA starts first, then the nodes in the order declared; closing stops the nodes,
 * then the OPAs, each in reverse order and each even when another fails to stop; a start that fails
 * stops what had started.
 *
 * <pre>{@code
 * try (LocalFederation f = LocalFederation.in(work).node(Federation.PROVIDER).node(Federation.CONSUMER).start()) {
 *   f.node(Federation.CONSUMER).api()...
 * }
 * }</pre>
 */
public final class LocalFederation implements AutoCloseable {

  private final Path work;
  private final Map<String, NodeProcess> nodes;
  /** The OPA each node asks, by node. */
  private final Map<String, String> opaOf;
  private final Map<String, Sidecar> opas;

  /** An OPA and what restarting it needs: its log, and the settings it was started with. */
  private static final class Sidecar {
    final List<String> settings;
    final int decisionLogPort;
    OpaServer server;

    Sidecar(List<String> settings, int decisionLogPort) {
      this.settings = settings;
      this.decisionLogPort = decisionLogPort;
    }
  }

  private LocalFederation(Path work, Map<String, String> opaOf) {
    this.work = work;
    this.opaOf = opaOf;
    this.nodes = new LinkedHashMap<>();
    this.opas = new LinkedHashMap<>();
  }

  /** A federation whose nodes and OPAs keep their configuration, data and logs under {@code work}. */
  public static Builder in(Path work) {
    return new Builder(work);
  }

  /** Which nodes to start, with which settings and which OPA. */
  public static final class Builder {

    private record Member(String slug, String opa, JsonObject settings) {
    }

    private final Path work;
    private final List<Member> members = new ArrayList<>();
    private boolean decisionLogs;

    private Builder(Path work) {
      this.work = work;
    }

    /** Node {@code slug} of the development federation, with its own OPA. */
    public Builder node(String slug) {
      return node(slug, new JsonObject());
    }

    /** Node {@code slug} with its own OPA; {@code settings} add or replace top-level configuration entries. */
    public Builder node(String slug, JsonObject settings) {
      return node(slug, slug, settings);
    }

    /**
     * Node {@code slug} asking the OPA named {@code opa}: nodes naming the same OPA share it, and a
     * node's own OPA is named after the node.
     */
    public Builder node(String slug, String opa, JsonObject settings) {
      if (members.stream().anyMatch(m -> m.slug().equals(slug))) {
        throw new IllegalArgumentException("node " + slug + " is declared twice");
      }
      members.add(new Member(slug, opa, settings));
      return this;
    }

    /**
     * Each OPA uploads its decision log to its node's receiver and the node reads the bundle OPA runs,
     * as {@code launchers/federation.sh} runs them; each OPA must then serve one node. A node's own
     * {@code opa} setting replaces the one this writes.
     */
    public Builder withDecisionLogs() {
      decisionLogs = true;
      return this;
    }

    public LocalFederation start() throws Exception {
      Map<String, String> opaOf = new LinkedHashMap<>();
      members.forEach(m -> opaOf.put(m.slug(), m.opa()));
      LocalFederation federation = new LocalFederation(work, opaOf);
      try {
        for (Member m : members) {
          if (!federation.opas.containsKey(m.opa())) {
            federation.startOpa(m.opa(), decisionLogs);
          } else if (decisionLogs) {
            throw new IllegalStateException("OPA " + m.opa() + " would upload its decision log to two nodes");
          }
        }
        for (Member m : members) {
          JsonObject settings = m.settings();
          if (decisionLogs) {
            settings = new JsonObject().put("opa", decisionLogSettings(federation.opas.get(m.opa())))
                .mergeIn(m.settings());
          }
          federation.nodes.put(m.slug(), NodeProcess.start(work, m.slug(), federation.opa(m.slug()).url(), settings));
        }
        return federation;
      } catch (Exception | Error e) {
        try {
          federation.close();
        } catch (Exception | Error stopping) {
          e.addSuppressed(stopping);
        }
        throw e;
      }
    }

    private static JsonObject decisionLogSettings(Sidecar opa) throws IOException, InterruptedException {
      PolicyBundles.Bundle bundle = PolicyBundles.canonical();
      return new JsonObject().put("url", opa.server.url()).put("timeoutMillis", 2000)
          .put("expectedRevisionFile", bundle.revisionFile().toString())
          .put("bundleFile", bundle.tarball().toString())
          .put("decisionLogs", new JsonObject().put("port", opa.decisionLogPort)
              .put("tokenFile", OpaServer.decisionLogToken().toString()));
    }
  }

  private void startOpa(String name, boolean decisionLogs) throws IOException, InterruptedException {
    int receiver = decisionLogs ? OpaServer.freePort() : 0;
    Sidecar sidecar = new Sidecar(decisionLogs ? List.of("services.socle-node.url=http://127.0.0.1:" + receiver)
        : null, receiver);
    sidecar.server = OpaServer.start(PolicyBundles.canonical().tarball(), opaLog(name), OpaServer.freePort(),
        sidecar.settings);
    opas.put(name, sidecar);
    if (!sidecar.server.bundleActive()) {
      throw new IOException("OPA refused the canonical signed bundle; see " + opaLog(name));
    }
  }

  private Path opaLog(String name) {
    return work.resolve("opa-" + name + ".log");
  }

  /** The running node {@code slug}. */
  public NodeProcess node(String slug) {
    NodeProcess node = nodes.get(slug);
    if (node == null) {
      throw new IllegalArgumentException("no node " + slug + " in this federation: " + nodes.keySet());
    }
    return node;
  }

  /** The OPA node {@code slug} asks, as last (re)started. */
  public OpaServer opa(String slug) {
    return sidecar(slug).server;
  }

  /** The port where node {@code slug} receives its OPA's decision log ({@link Builder#withDecisionLogs()}). */
  public int decisionLogPort(String slug) {
    return sidecar(slug).decisionLogPort;
  }

  /**
   * Stops the OPA node {@code slug} asks and starts it again on its port on the canonical signed bundle,
   * as an operator restarting a sidecar would; returns the new OPA.
   */
  public OpaServer restartOpa(String slug) throws IOException, InterruptedException {
    return restartOpa(slug, PolicyBundles.canonical().tarball());
  }

  /**
   * Stops the OPA node {@code slug} asks and starts it again on its port, on {@code bundle} whatever it
   * holds (see {@link OpaServer#bundleActive()}); returns the new OPA.
   */
  public OpaServer restartOpa(String slug, Path bundle) throws IOException, InterruptedException {
    Sidecar sidecar = sidecar(slug);
    OpaServer stopped = sidecar.server;
    stopped.close();
    sidecar.server = OpaServer.start(bundle, opaLog(opaOf.get(slug)), stopped.port(), sidecar.settings);
    return sidecar.server;
  }

  private Sidecar sidecar(String slug) {
    Sidecar sidecar = opas.get(opaOf.get(slug));
    if (sidecar == null) {
      throw new IllegalArgumentException("no OPA for " + slug + " in this federation");
    }
    return sidecar;
  }

  /** Stops the nodes, then the OPAs, each in reverse order of start; one that fails to stop stops none the less. */
  @Override
  public void close() throws InterruptedException {
    List<AutoCloseable> started = new ArrayList<>();
    opas.values().forEach(s -> started.add(s.server));
    started.addAll(nodes.values());
    Throwable first = null;
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception | Error e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first instanceof InterruptedException interrupted) {
      throw interrupted;
    } else if (first instanceof RuntimeException runtime) {
      throw runtime;
    } else if (first instanceof Error error) {
      throw error;
    } else if (first != null) {
      throw new IllegalStateException("could not stop the federation", first);
    }
  }
}
