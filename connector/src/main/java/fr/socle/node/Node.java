package fr.socle.node;

import fr.socle.catalog.CatalogService;
import fr.socle.catalog.CatalogStore;
import fr.socle.dataplane.DataFetcher;
import fr.socle.dataplane.PublicEndpoint;
import fr.socle.management.ManagementApi;
import fr.socle.negotiation.NegotiationHook;
import fr.socle.negotiation.NegotiationManager;
import fr.socle.negotiation.NegotiationStore;
import fr.socle.policy.DecisionInputs;
import fr.socle.policy.ParticipantDirectory;
import fr.socle.policy.PolicyEngine;
import fr.socle.protocol.DspApi;
import fr.socle.protocol.DspClient;
import fr.socle.store.Database;
import fr.socle.transfer.TransferHook;
import fr.socle.transfer.TransferManager;
import fr.socle.transfer.TransferStore;
import fr.socle.trust.NodeTls;
import fr.socle.trust.TrustException;
import fr.socle.trust.TrustMaterial;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every component of a node with its constructor and starts the two
 * servers, all on this verticle's event loop so that the state-machine runners need no locks.
 */
public final class Node extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(Node.class);

  private final NodeConfig config;
  private final Clock clock;
  private Database database;
  private HttpServer dspServer;
  private HttpServer managementServer;
  private String participantId;

  private final ProtocolSecurity securityOverride;
  private final NegotiationHook negotiationHook;
  private final TransferHook transferHook;

  /** A production node: protocol security comes from the federation material in the configuration. */
  public Node(NodeConfig config, Clock clock) {
    this(config, clock, null);
  }

  /** A node whose protocol security is given by code (conformance tests), not by configuration. */
  public Node(NodeConfig config, Clock clock, ProtocolSecurity security) {
    this(config, clock, security, NegotiationHook.NONE, TransferHook.NONE);
  }

  /**
   * A node whose protocol security and next moves are given by code: the DSP conformance test plays
   * the kit's scripted scenarios through the hooks. Nothing in a configuration file reaches this.
   */
  public Node(NodeConfig config, Clock clock, ProtocolSecurity security, NegotiationHook negotiationHook,
      TransferHook transferHook) {
    this.config = config;
    this.clock = clock;
    this.securityOverride = security;
    this.negotiationHook = negotiationHook;
    this.transferHook = transferHook;
  }

  @Override
  public Future<?> start() {
    TrustMaterial trust;
    try {
      trust = TrustMaterial.load(config.nodeDir(), config.federationDir(), null, clock);
    } catch (TrustException e) {
      return Future.failedFuture(new NodeConfig.ConfigException("tls: " + e.getMessage()));
    }
    ProtocolSecurity security = securityOverride != null ? securityOverride
        : ProtocolSecurity.federation(NodeTls.of(config.nodeDir(), config.federationDir()), config.dspHost(),
            config.dspPort());
    participantId = trust.participant().id().value();
    ParticipantDirectory directory = config.directory() == null ? ParticipantDirectory.empty()
        : ParticipantDirectory.load(config.directory());
    try {
      Files.createDirectories(config.dataDir());
    } catch (IOException e) {
      return Future.failedFuture(new NodeConfig.ConfigException("dataDir " + config.dataDir()
          + " cannot be created: " + e.getMessage()));
    }
    // The DSP server must listen before the address partners call back is known (port 0 in tests).
    dspServer = vertx.createHttpServer(security.serverOptions());
    managementServer = vertx.createHttpServer(new HttpServerOptions().setHost(config.managementHost())
        .setPort(config.managementPort()));
    Router dspRouter = Router.router(vertx);
    dspServer.requestHandler(dspRouter);
    Router managementRouter = Router.router(vertx);
    managementServer.requestHandler(managementRouter);

    return vertx.executeBlocking(() -> Database.open(vertx, config.databaseUrl(), config.databaseUser(),
            config.databasePassword(), 4), false)
        .compose(db -> {
          database = db;
          return dspServer.listen();
        })
        .compose(server -> {
          String selfAddress = config.dspAddress(server.actualPort());
          wire(security, directory, selfAddress, dspRouter, managementRouter);
          return managementServer.listen();
        })
        .compose(server -> writeRunFile())
        .onSuccess(v -> LOG.info("node '{}' ({}) ready: DSP on https://{}:{}, management on http://{}:{}",
            config.name(), participantId, config.dspHost(), dspServer.actualPort(), config.managementHost(),
            managementServer.actualPort()));
  }

  private void wire(ProtocolSecurity security, ParticipantDirectory directory, String selfAddress, Router dspRouter,
      Router managementRouter) {
    CatalogStore catalogStore = new CatalogStore(database, clock);
    NegotiationStore negotiationStore = new NegotiationStore(database, clock);
    TransferStore transferStore = new TransferStore(database, clock);
    PolicyEngine policy = new PolicyEngine(vertx, config.opaUrl(), config.opaTimeoutMillis());
    DecisionInputs inputs = new DecisionInputs(clock, directory, participantId);
    DspClient client = new DspClient(vertx, security.clientOptions(), config.dspTimeoutMillis());
    CatalogService catalog = new CatalogService(catalogStore, policy, inputs, participantId, selfAddress);
    NegotiationManager negotiations = new NegotiationManager(vertx, negotiationStore, catalogStore, client, policy,
        inputs, negotiationHook, clock, participantId, selfAddress);
    TransferManager transfers = new TransferManager(vertx, transferStore, negotiationStore, catalogStore, client,
        policy, inputs, transferHook, clock, participantId, selfAddress);

    new DspApi(security.authenticator(), catalog, negotiations, transfers, config.maxBodyBytes()).mount(dspRouter);
    new PublicEndpoint(vertx, security.authenticator(), transferStore, negotiationStore, catalogStore, policy, inputs, config.dataDir())
        .mount(dspRouter);
    dspRouter.route().failureHandler(DspApi::handleFailure);

    DataFetcher fetcher = new DataFetcher(vertx, security.clientOptions(), config.dspTimeoutMillis());
    new ManagementApi(config.apiKey(), catalogStore, negotiations, transfers, client, fetcher,
        () -> readiness(policy), config.maxBodyBytes(),
        security.clientOptions().isSsl() ? "https://" : "http://").mount(managementRouter);
    managementRouter.route().failureHandler(ManagementApi::handleFailure);

    negotiations.resume().onSuccess(n -> LOG.info("resumed {} unfinished negotiations", n));
    transfers.resume().onSuccess(n -> LOG.info("resumed {} unfinished transfers", n));
  }

  private Future<JsonObject> readiness(PolicyEngine policy) {
    Future<Boolean> db = database.transaction(c -> c.isValid(2));
    Future<Boolean> opa = policy.healthy();
    return Future.join(db, opa).transform(done -> {
      JsonArray problems = new JsonArray();
      if (!(db.succeeded() && db.result())) {
        problems.add("database is unavailable");
      }
      if (!(opa.succeeded() && opa.result())) {
        problems.add("policy engine (OPA) at " + config.opaUrl() + " is unavailable");
      }
      return Future.succeededFuture(new JsonObject().put("ready", problems.isEmpty()).put("problems", problems));
    });
  }

  /** Records where this node listens, for launchers and tests that started it on port 0. */
  private Future<Void> writeRunFile() {
    JsonObject run = new JsonObject().put("pid", ProcessHandle.current().pid()).put("participantId", participantId)
        .put("dspPort", dspServer.actualPort()).put("managementPort", managementServer.actualPort())
        .put("dspAddress", config.dspAddress(dspServer.actualPort()));
    Path file = config.dataDir().resolve("node.json");
    return vertx.fileSystem().writeFile(file.toString(), run.toBuffer());
  }

  @Override
  public Future<?> stop() {
    Future<Void> dsp = dspServer == null ? Future.succeededFuture() : dspServer.close();
    Future<Void> management = managementServer == null ? Future.succeededFuture() : managementServer.close();
    return Future.join(dsp, management).eventually(() -> {
      if (database != null) {
        return vertx.executeBlocking(() -> {
          database.close();
          return null;
        }, false);
      }
      return Future.succeededFuture();
    });
  }

  public String participantId() {
    return participantId;
  }
}
