package fr.socle.policy;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.testing.OpaServer;
import fr.socle.testing.Paths;
import fr.socle.testing.PolicyBundles;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * OPA, configured as a node's sidecar (bundle mode, federation key, {@code signing.keyid} set), refuses
 * every bundle the federation did not sign as it is; and the node refuses to decide on any bundle but
 * the expected revision, including the previous bundle OPA keeps serving when an update fails.
 */
@ExtendWith(VertxExtension.class)
@Timeout(90)
class SignedBundleTest {

  @TempDir
  Path work;

  private PolicyEngine engine(Vertx vertx, OpaServer opa) throws Exception {
    return new PolicyEngine(vertx, URI.create(opa.url()), 5_000, PolicyBundles.canonical().revision());
  }

  /** OPA's own answer to a decision query, without the node in between. */
  private static JsonObject queryOpa(OpaServer opa) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(opa.url()
            + "/v1/data/socle/decision/negotiation?provenance=true"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"input\":{}}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  private void assertRefused(Vertx vertx, Path bundle, String opaSays) throws Exception {
    Path log = work.resolve(bundle.getFileName() + ".log");
    try (OpaServer opa = OpaServer.start(bundle, log)) {
      assertThat(opa.bundleActive()).as("OPA activated " + bundle).isFalse();
      assertThat(Files.readString(log)).contains("Bundle load failed: " + opaSays);
      JsonObject answer = queryOpa(opa);
      assertThat(answer.containsKey("result")).as("OPA serves no decision: " + answer).isFalse();
      assertThat(answer.getJsonObject("provenance").containsKey("bundles")).isFalse();

      PolicyEngine engine = engine(vertx, opa);
      Decision d = engine.decide(Scope.NEGOTIATION, new JsonObject()).await();
      assertThat(d.allow()).isFalse();
      assertThat(d.reasons().get(0).code()).isEqualTo(PolicyEngine.REVISION_MISMATCH);
      assertThat(d.reasons().get(0).en()).startsWith("No signed policy bundle is active in the policy engine (OPA)");
      assertThat(engine.readiness().await().ready()).isFalse();
    }
  }

  @Test
  void unsignedBundleIsRefused(Vertx vertx) throws Exception {
    Path unsigned = PolicyBundles.build(work, PolicyBundles.canonical().revision(), null);
    assertRefused(vertx, unsigned, "bundle missing .signatures.json file");
  }

  @Test
  void bundleAlteredAfterSigningIsRefused(Vertx vertx) throws Exception {
    assertRefused(vertx, PolicyBundles.altered(work), "policies/socle/baseline.rego: digest mismatch");
  }

  @Test
  void bundleSignedWithAnotherKeyIsRefused(Vertx vertx) throws Exception {
    // The issuing CA's key is a federation key too, but not the one that signs policies.
    Path foreign = PolicyBundles.build(work, PolicyBundles.canonical().revision(),
        Paths.certs().resolve("issuing-ca.key"));
    assertRefused(vertx, foreign, "failed to verify JWT signature");
  }

  @Test
  void signedBundleOfAnotherRevisionIsActiveButTheNodeDoesNotDecideOnIt(Vertx vertx) throws Exception {
    Path stale = PolicyBundles.build(work, "sha256-0000000000000000",
        Paths.certs().resolve("policy-signing.key"));
    try (OpaServer opa = OpaServer.start(stale, work.resolve("stale.log"))) {
      assertThat(opa.bundleActive()).isTrue();
      PolicyEngine engine = engine(vertx, opa);
      Decision d = engine.decide(Scope.NEGOTIATION, new JsonObject()).await();
      assertThat(d.allow()).isFalse();
      assertThat(d.reasons()).hasSize(1);
      assertThat(d.reasons().get(0).en()).isEqualTo("The policy engine (OPA) runs revision "
          + "socle@sha256-0000000000000000 while this node expects socle@" + PolicyBundles.canonical().revision()
          + ", so the request is denied rather than decided on stale or unexpected rules.");
      assertThat(d.bundleRevision()).isEqualTo("socle@sha256-0000000000000000");
      PolicyEngine.Readiness readiness = engine.readiness().await();
      assertThat(readiness.ready()).isFalse();
      assertThat(readiness.problem()).startsWith("policy_bundle_revision_mismatch: ");
    }
  }

  /**
   * OPA downloading its bundle from a server: the update to the expected revision arrives altered, OPA
   * refuses it and keeps serving the previous bundle, and the node denies until the genuine one is
   * active, then decides again without a restart.
   */
  @Test
  void failedUpdateLeavesOpaOnThePreviousBundleAndTheNodeDenies(Vertx vertx) throws Exception {
    String expected = PolicyBundles.canonical().revision();
    Buffer previous = Buffer.buffer(Files.readAllBytes(PolicyBundles.build(work, "sha256-previous",
        Paths.certs().resolve("policy-signing.key"))));
    Buffer altered = Buffer.buffer(Files.readAllBytes(PolicyBundles.altered(work)));
    Buffer genuine = Buffer.buffer(Files.readAllBytes(PolicyBundles.canonical().tarball()));
    AtomicReference<Buffer> served = new AtomicReference<>(previous);
    AtomicReference<Promise<Void>> fetched = new AtomicReference<>(Promise.promise());
    HttpServer server = vertx.createHttpServer().requestHandler(request -> {
      request.response().putHeader("Content-Type", "application/gzip").end(served.get());
      fetched.get().tryComplete();
    }).listen(0, "127.0.0.1").await();
    int port = server.actualPort();
    try (OpaServer opa = OpaServer.start(null, work.resolve("polling.log"), freePort(), List.of(
        "services.federation.url=http://127.0.0.1:" + port, "bundles.socle.service=federation",
        "bundles.socle.resource=/bundles/socle-policies.tar.gz", "bundles.socle.polling.min_delay_seconds=1",
        "bundles.socle.polling.max_delay_seconds=1"))) {
      assertThat(opa.bundleActive()).isTrue();
      PolicyEngine engine = engine(vertx, opa);
      assertThat(engine.decide(Scope.NEGOTIATION, new JsonObject()).await().bundleRevision())
          .isEqualTo("socle@sha256-previous");

      served.set(altered);
      // OPA polls one request at a time: once a second request after the switch has arrived, the
      // altered bundle has been downloaded and processed.
      for (int i = 0; i < 2; i++) {
        Promise<Void> next = Promise.promise();
        fetched.set(next);
        next.future().await();
      }
      assertThat(Files.readString(work.resolve("polling.log"))).contains("digest mismatch");
      assertThat(queryOpa(opa).getJsonObject("provenance").getJsonObject("bundles").getJsonObject("socle")
          .getString("revision")).as("OPA keeps serving the previous bundle").isEqualTo("sha256-previous");
      Decision stale = engine.decide(Scope.NEGOTIATION, new JsonObject()).await();
      assertThat(stale.allow()).isFalse();
      assertThat(stale.reasons().get(0).en()).contains("runs revision socle@sha256-previous while this node expects "
          + "socle@" + expected);

      served.set(genuine);
      PolicyEngine.Readiness readiness = engine.readiness().await();
      for (int i = 0; i < 100 && !readiness.ready(); i++) {
        Promise<Void> next = Promise.promise();
        fetched.set(next);
        next.future().await();
        readiness = engine.readiness().await();
      }
      assertThat(readiness.ready()).as(String.valueOf(readiness)).isTrue();
      Decision decided = engine.decide(Scope.NEGOTIATION, new JsonObject()).await();
      assertThat(decided.bundleRevision()).isEqualTo("socle@" + expected);
      assertThat(decided.reasons().get(0).code()).as("the rules decide again").isEqualTo("not_a_member");
    } finally {
      server.close().await();
    }
  }

  private static int freePort() throws Exception {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
