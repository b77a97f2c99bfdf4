package fr.socle.node;

import fr.socle.agreement.AgreementSigner;
import fr.socle.agreement.AgreementVerifier;
import fr.socle.audit.AuditLog;
import fr.socle.audit.AuditType;
import fr.socle.audit.AuditedDecisions;
import fr.socle.audit.PolicyBundleArchive;
import fr.socle.audit.TreeHeadSchedule;
import fr.socle.audit.TreeHeadSigner;
import fr.socle.catalog.CatalogService;
import fr.socle.catalog.CatalogStore;
import fr.socle.dataplane.StreamTuning;
import fr.socle.dataplane.ReceivedFiles;
import fr.socle.transfer.DataFetcher;
import fr.socle.transfer.EdrTokens;
import fr.socle.transfer.DataAccess;
import fr.socle.edge.PublicEndpoint;
import fr.socle.edge.PushReceiver;
import fr.socle.transfer.Receipts;
import fr.socle.transfer.Pusher;
import fr.socle.edge.DecisionLogReceiver;
import fr.socle.management.AuditorApi;
import fr.socle.management.IdempotencyKeys;
import fr.socle.management.ManagementApi;
import fr.socle.negotiation.NegotiationHook;
import fr.socle.negotiation.NegotiationManager;
import fr.socle.negotiation.NegotiationStore;
import fr.socle.process.Role;
import fr.socle.policy.DecisionInputs;
import fr.socle.policy.DecisionPoint;
import fr.socle.policy.ParticipantDirectory;
import fr.socle.policy.PolicyEngine;
import fr.socle.policy.PolicyTemplates;
import fr.socle.edge.Connections;
import fr.socle.edge.DspRoutes;
import fr.socle.protocol.DspClient;
import fr.socle.store.Database;
import fr.socle.store.H2Import;
import fr.socle.store.SealedValues;
import fr.socle.store.StateRecorder;
import fr.socle.transfer.TransferHook;
import fr.socle.transfer.TransferDecisions;
import fr.socle.transfer.TransferManager;
import fr.socle.transfer.TransferStore;
import fr.socle.trust.FederationLayout;
import fr.socle.trust.FederationTrust;
import fr.socle.trust.NodeTls;
import fr.socle.trust.TrustException;
import fr.socle.trust.TrustMaterial;
import io.vertx.core.Future;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.security.interfaces.ECPublicKey;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
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
  private AuditLog audit;
  private TreeHeadSchedule heads;
  private HttpServer dspServer;
  private HttpServerOptions dspServerOptions;
  private HttpClientOptions dspClientOptions;
  private HttpServer managementServer;
  private HttpServer decisionLogServer;
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

  /** What start-up reads from disk, gathered on a worker thread. */
  private record Prepared(TrustMaterial trust, FederationTrust federation, ProtocolSecurity security,
      ParticipantDirectory directory, PolicyTemplates templates, Database database) {
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(this::prepare, false).compose(prepared -> {
      database = prepared.database();
      participantId = prepared.trust().participant().id().value();
      TrustMaterial trust = prepared.trust();
      audit = new AuditLog(vertx, database.dataSource(), new TreeHeadSigner(trust.nodeKey(), trust.nodeChain()),
          clock);
      // The DSP server must listen before the address partners call back is known (port 0 in tests).
      // Pushed bodies arrive on this server.
      // A connection silent for longer than a push may stay silent (limits.pushTimeoutMillis) serves no one.
      dspServerOptions = StreamTuning.bulk(prepared.security().serverOptions())
          .setIdleTimeout(config.limits().dspIdleTimeoutSeconds());
      dspServer = vertx.createHttpServer(dspServerOptions);
      Connections.cap(dspServer, config.limits().maxDspConnections(), "DSP server");
      managementServer = vertx.createHttpServer(new HttpServerOptions().setHost(config.management().host())
          .setPort(config.management().port()));
      Router dspRouter = Router.router(vertx);
      dspServer.requestHandler(dspRouter);
      Router managementRouter = Router.router(vertx);
      managementServer.requestHandler(managementRouter);
      return audit.start()
          .compose(v -> keepPolicyBundle())
          .compose(v -> listenForDecisionLogs())
          .compose(v -> {
            heads = new TreeHeadSchedule(vertx, audit, config.audit().headEveryEntries(),
                config.audit().headEveryMillis());
            heads.start();
            return dspServer.listen();
          })
          .compose(server -> {
            String selfAddress = config.dsp().address(server.actualPort());
            wire(prepared.trust(), prepared.security(), prepared.federation(), prepared.directory(),
                prepared.templates(),
                selfAddress, dspRouter, managementRouter);
            return managementServer.listen();
          });
    })
        .compose(server -> writeRunFile())
        .onSuccess(v -> LOG.info("node '{}' ({}) ready in {} ms: DSP on https://{}:{}, management on http://{}:{};"
            + " TLS by {}, network I/O by {}", config.name(), participantId,
            ManagementFactory.getRuntimeMXBean().getUptime(), config.dsp().host(), dspServer.actualPort(),
            config.management().host(), managementServer.actualPort(),
            NodeTls.engine() instanceof OpenSSLEngineOptions ? "BoringSSL" : "the JDK (slower)",
            vertx.isNativeTransportEnabled() ? "epoll" : "the JDK (slower)"));
  }

  /**
   * Keeps the signed bundle OPA runs ({@code opa.bundleFile}) by content in {@code <dataDir>/bundles},
   * and logs it the first time, so that every decision can be replayed against its rules.
   */
  private Future<Void> keepPolicyBundle() {
    Path bundle = config.opa().audit().bundleFile();
    if (bundle == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> PolicyBundleArchive.keep(bundle, config.dataDir().resolve("bundles")), false)
        .recover(e -> Future.failedFuture(new NodeConfig.ConfigException("opa.bundleFile " + bundle
            + " cannot be kept: " + e.getMessage())))
        .compose(kept -> {
          if (!config.opa().expectedRevision().equals(kept.revision())) {
            LOG.warn("opa.bundleFile {} is at revision {} while this node expects {}", bundle, kept.revision(),
                config.opa().expectedRevision());
          }
          return kept.added() ? audit.append(AuditType.BUNDLE, "bundle:" + kept.revision(), kept.toJson()).mapEmpty()
              : Future.succeededFuture();
        });
  }

  /** The loopback receiver of OPA's decision-log uploads, when {@code opa.decisionLogs} is set. */
  private Future<Void> listenForDecisionLogs() {
    NodeConfig.OpaAudit opa = config.opa().audit();
    if (opa.decisionLogPort() < 0) {
      return Future.succeededFuture();
    }
    return new DecisionLogReceiver(vertx, opa.decisionLogToken(), audit).listen(opa.decisionLogPort())
        .onSuccess(server -> decisionLogServer = server)
        .mapEmpty();
  }

  /** Blocking start-up work: trust material, participant directory, data directory, database. */
  private Prepared prepare() {
    TrustMaterial trust;
    FederationTrust federation;
    ProtocolSecurity security;
    try {
      trust = TrustMaterial.load(config.trust().nodeDir(), config.trust().federationDir(), null, clock);
      federation = new FederationTrust(trust, new FederationLayout(config.trust().federationDir()).crl(), clock);
      security = securityOverride != null ? securityOverride
          : ProtocolSecurity.federation(NodeTls.of(config.trust().nodeDir(), config.trust().federationDir()),
              config.dsp().host(),
              config.dsp().port(), trust, federation, clock);
    } catch (TrustException e) {
      throw new NodeConfig.ConfigException("tls: " + e.getMessage());
    }
    ParticipantDirectory directory = config.trust().directory() == null ? ParticipantDirectory.empty()
        : ParticipantDirectory.load(config.trust().directory());
    PolicyTemplates templates;
    try {
      templates = config.policyTemplatesDir() == null ? PolicyTemplates.bundled()
          : PolicyTemplates.load(config.policyTemplatesDir());
    } catch (RuntimeException e) {
      throw new NodeConfig.ConfigException("policy templates: " + e.getMessage());
    }
    config.prepareDataDir();
    Database database = Database.open(vertx, config.database().url(), config.database().user(),
        config.database().password(), 4);
    if (config.database().url().equals(NodeConfig.defaultDatabaseUrl(config.dataDir()))) {
      try {
        H2Import.importIfPresent(config.dataDir(), database.dataSource());
      } catch (SQLException | IOException e) {
        database.close();
        throw new NodeConfig.ConfigException("the H2 database of an earlier version in " + config.dataDir()
            + " could not be imported: " + e.getMessage());
      }
    }
    return new Prepared(trust, federation, security, directory, templates, database);
  }

  private void wire(TrustMaterial trust, ProtocolSecurity security, FederationTrust federation,
      ParticipantDirectory directory,
      PolicyTemplates templates, String selfAddress, Router dspRouter, Router managementRouter) {
    StateRecorder recorder = new StateRecorder() {
      @Override
      public void stage(java.sql.Connection c, String kind, String subject, JsonObject payload)
          throws java.sql.SQLException {
        audit.stage(c, AuditType.valueOf(kind.toUpperCase(Locale.ROOT)), subject, payload);
      }

      @Override
      public Future<Void> publish() {
        return audit.drainOutbox().mapEmpty();
      }
    };
    CatalogStore catalogStore = new CatalogStore(database, clock, recorder);
    NegotiationStore negotiationStore = new NegotiationStore(database, clock, recorder);
    TransferStore transferStore = new TransferStore(database, clock, recorder,
        SealedValues.derivedFrom(trust.nodeKey()));
    PolicyEngine engine = new PolicyEngine(vertx, config.opa().url(), config.opa().timeoutMillis(),
        config.opa().expectedRevision());
    DecisionPoint policy = new AuditedDecisions(engine, audit);
    DecisionInputs inputs = new DecisionInputs(clock, directory, participantId);
    dspClientOptions = security.clientOptions();
    DspClient client = new DspClient(vertx, dspClientOptions, config.dsp().timeoutMillis(), security.tokenFor(),
        security.serverIdentity());
    CatalogService catalog = new CatalogService(catalogStore, policy, inputs, participantId, selfAddress,
        config.opa().maxDecisionsInFlight());
    EdrTokens tokens = new EdrTokens(participantId, trust.nodeKey(),
        (ECPublicKey) trust.nodeCertificate().getPublicKey(),
            Duration.ofSeconds(config.dataPlane().accessTokenSeconds()), clock);
    NegotiationManager negotiations = new NegotiationManager(vertx, negotiationStore, catalogStore, client, policy,
        inputs, negotiationHook, clock, participantId, selfAddress, new AgreementSigner(trust, clock),
        AgreementVerifier.federation(federation::verifier), config.limits().maxOpenNegotiationsPerParticipant());
    DataAccess dataAccess = new DataAccess(vertx, negotiationStore, catalogStore, policy, inputs, config.dataDir(),
        config.dataPlane().databases(), config.dataPlane().maxDownloadsPerParticipant(),
            config.dataPlane().sourceTimeoutMillis(), audit);
    Pusher pusher = new Pusher(vertx, dspClientOptions, config.dataPlane().pushTimeoutMillis(), security.tokenFor(),
        security.serverIdentity(), dataAccess);
    TransferDecisions transferDecisions = new TransferDecisions(negotiationStore, catalogStore, policy, inputs);
    TransferManager transfers = new TransferManager(vertx, transferStore, negotiationStore, client, transferDecisions,
        transferHook, clock, participantId, selfAddress, tokens, pusher,
            config.limits().maxOpenTransfersPerParticipant());

    // Before the DSP body handler, which would buffer the body: a push is streamed to disk.
    PushReceiver receiver = new PushReceiver(vertx, security.dataPlaneAuthenticator(), transferStore,
        new ReceivedFiles(vertx, config.dataDir().resolve("received"), config.dataPlane().maxReceivedDiskBytes()),
            config.dataPlane().maxReceivedBytes(),
            config.dataPlane().pushTimeoutMillis(),
        new Receipts(audit));
    receiver.mount(dspRouter);
    new DspRoutes(security.authenticator(), catalog, negotiations, transfers, config.limits().maxBodyBytes(),
        config.limits().maxDspRequestsPerParticipant()).mount(dspRouter);
    PublicEndpoint publicEndpoint = new PublicEndpoint(security.dataPlaneAuthenticator(), security.authenticator(),
        tokens, transferStore, transferDecisions, dataAccess,
        (id, why) -> transfers.terminate(id, why).onFailure(e -> LOG.warn("transfer {} could not be terminated after"
            + " its source failed: {}", id, e.getMessage())), selfAddress);
    publicEndpoint.mount(dspRouter);
    // Suspension, termination or completion ends the downloads and the push in progress at once.
    transferStore.onMove(t -> {
      if (t.role() == Role.PROVIDER && !t.state().servesData()) {
        publicEndpoint.cut(t.id(), "the transfer is " + t.state());
        pusher.cut(t.id(), "the transfer is " + t.state());
      }
    });
    dspRouter.route().failureHandler(DspRoutes::handleFailure);

    DataFetcher fetcher = new DataFetcher(vertx, dspClientOptions, config.dsp().timeoutMillis(), security.tokenFor(),
        security.serverIdentity());
    new ManagementApi(config.management().apiKey(), catalogStore, negotiations, transfers, client, fetcher, receiver,
        audit,
        () -> readiness(engine), config.limits().maxBodyBytes(), templates, participantId,
        dspClientOptions.isSsl() ? "https://" : "http://", new IdempotencyKeys(database, clock,
            Duration.ofSeconds(config.management().idempotencyKeySeconds()),
                config.management().maxIdempotencyKeys())).mount(managementRouter);
    new AuditorApi(config.management().auditorKey(), audit).mount(managementRouter);
    managementRouter.route().failureHandler(ManagementApi::handleFailure);
    watchCrl(federation, client, fetcher, pusher);

    negotiations.resume().onSuccess(n -> LOG.info("resumed {} unfinished negotiations", n));
    // Tokens an earlier version kept in clear are encrypted before the transfers go on.
    transferStore.sealInClear().onComplete(sealed -> {
      if (sealed.failed()) {
        LOG.error("the transfer tokens an earlier version kept in clear could not be encrypted; they are read as they"
            + " are until the next start tries again: {}", sealed.cause().getMessage());
      } else if (sealed.result() > 0) {
        LOG.info("encrypted {} transfer data addresses and push destinations an earlier version kept in clear",
            sealed.result());
      }
      transfers.resume().onSuccess(n -> LOG.info("resumed {} unfinished transfers", n));
    });
  }

  /**
   * Re-reads the federation CRL every {@code tls.crlReloadMillis}. Node tokens are checked against a
   * new CRL from the next request; then the TLS layers get it too: the DSP server refuses new
   * handshakes of a revoked peer, and this node's clients refuse to open connections to one.
   * Connections already open are covered by the token check alone (inbound) or close when idle
   * (outbound, pooled).
   */
  private void watchCrl(FederationTrust federation, DspClient client, DataFetcher fetcher, Pusher pusher) {
    vertx.setPeriodic(config.trust().crlReloadMillis(), id -> vertx.executeBlocking(federation::reload, false)
        .compose(changed -> {
          if (!changed || securityOverride != null) {
            return Future.succeededFuture();
          }
          ClientSSLOptions clientTls = NodeTls.withCrl(dspClientOptions.getSslOptions(), federation.crl());
          return Future.all(
                  dspServer.updateSSLOptions(NodeTls.withCrl(dspServerOptions.getSslOptions(), federation.crl()), true),
                  client.updateTls(clientTls), fetcher.updateTls(clientTls), pusher.updateTls(clientTls))
              .onSuccess(v -> LOG.info("TLS of the DSP server and clients now checks against the new CRL"));
        })
        .onFailure(e -> LOG.warn("federation CRL reload failed: {}", e.toString())));
  }

  private Future<JsonObject> readiness(PolicyEngine policy) {
    Future<Boolean> db = database.transaction(c -> c.isValid(2));
    Future<PolicyEngine.Readiness> opa = policy.readiness();
    return Future.join(db, opa).transform(done -> {
      JsonArray problems = new JsonArray();
      if (!(db.succeeded() && db.result())) {
        problems.add("database is unavailable");
      }
      if (!(opa.succeeded() && opa.result().ready())) {
        problems.add(opa.succeeded() ? opa.result().problem() : "policy engine (OPA) at " + config.opa().url()
            + " is unavailable");
      }
      return Future.succeededFuture(new JsonObject().put("ready", problems.isEmpty()).put("problems", problems)
          .put("policyBundle", new JsonObject().put("expected", policy.expectedBundle())
              .put("active", opa.succeeded() ? opa.result().activeBundle() : null)));
    });
  }

  /** Records where this node listens, for launchers and tests that started it on port 0. */
  private Future<Void> writeRunFile() {
    JsonObject run = new JsonObject().put("pid", ProcessHandle.current().pid()).put("participantId", participantId)
        .put("dspPort", dspServer.actualPort()).put("managementPort", managementServer.actualPort())
        .put("dspAddress", config.dsp().address(dspServer.actualPort()))
        .put("decisionLogPort", decisionLogServer == null ? null : decisionLogServer.actualPort());
    Path file = config.dataDir().resolve("node.json");
    return vertx.fileSystem().writeFile(file.toString(), run.toBuffer());
  }

  @Override
  public Future<?> stop() {
    Future<Void> dsp = dspServer == null ? Future.succeededFuture() : dspServer.close();
    Future<Void> management = managementServer == null ? Future.succeededFuture() : managementServer.close();
    Future<Void> decisionLogs = decisionLogServer == null ? Future.succeededFuture() : decisionLogServer.close();
    // A last signed head on shutdown, so no entry stays unsigned until the next start.
    return Future.join(dsp, management, decisionLogs)
        .eventually(() -> heads == null ? Future.succeededFuture() : heads.stop())
        .eventually(() -> audit == null ? Future.succeededFuture() : audit.close())
        .eventually(() -> database == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
          database.close();
          return null;
        }, false));
  }

  public String participantId() {
    return participantId;
  }
}
