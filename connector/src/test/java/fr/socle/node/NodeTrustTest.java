package fr.socle.node;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.cli.Socle;
import fr.socle.testing.Await;
import fr.socle.testing.Federation;
import fr.socle.testing.NodeProcess;
import fr.socle.testing.TlsClients;
import fr.socle.trust.NodeTokenIssuer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Node tokens and revocation against a real node process, on a federation built in a temporary
 * directory with the {@code socle certs} commands the README gives to onboard collectivités. Probes
 * speak DSP directly with the JDK's HTTP client, holding one member's TLS certificate and signing
 * tokens as whichever member the case needs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class NodeTrustTest {

  private static final String CALLEE = "region-test";
  private static final String CALLER = "commune-test";
  private static final String OTHER = "metropole-test";
  private static final String REVOKED = "commune-revoquee";

  @TempDir
  static Path work;

  private Path federation;
  private NodeProcess node;
  /** Runs as the revoked member, to see this node refuse to call it too. */
  private NodeProcess revokedNode;

  @BeforeAll
  void startNode() throws Exception {
    federation = work.resolve("federation");
    socle("certs", "init-federation", "--dir", federation.toString(), "--name", "Fédération de test");
    socle("certs", "issue-node", "--dir", federation.toString(), "--siren", "239900038", "--name", "Région Test");
    socle("certs", "issue-node", "--dir", federation.toString(), "--siren", "219900016", "--name", "Commune Test");
    socle("certs", "issue-node", "--dir", federation.toString(), "--siren", "249900028", "--name", "Métropole Test");
    socle("certs", "issue-node", "--dir", federation.toString(), "--siren", "219900032", "--name", "Commune Révoquée");
    // No OPA: these tests are about who may call, and a node without its policy engine still
    // authenticates callers (and then shows them nothing).
    // Two JVMs starting side by side take little longer than one.
    CompletableFuture<NodeProcess> other = CompletableFuture.supplyAsync(() -> {
      try {
        return NodeProcess.start(work, federation, REVOKED, "http://127.0.0.1:9", new JsonObject());
      } catch (IOException | InterruptedException e) {
        throw new CompletionException(e);
      }
    });
    node = NodeProcess.start(work, federation, CALLEE, "http://127.0.0.1:9",
        new JsonObject().put("crlReloadMillis", 100));
    revokedNode = other.join();
  }

  @AfterAll
  void stopNode() throws Exception {
    for (NodeProcess n : new NodeProcess[] {node, revokedNode}) {
      if (n != null) {
        n.close();
      }
    }
  }

  private static void socle(String... args) {
    assertThat(new CommandLine(new Socle()).execute(args)).as(String.join(" ", args)).isZero();
  }

  private HttpClient member(String slug) throws Exception {
    return TlsClients.member(federation, slug);
  }

  private String token(String slug, String audience) {
    return Federation.tokens(federation, slug).issue(audience);
  }

  private HttpResponse<String> catalog(HttpClient client, String authorization) throws IOException,
      InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.dspAddress() + "/catalog/request"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(new JsonObject()
            .put("@context", new JsonArray().add("https://w3id.org/dspace/2025/1/context.jsonld"))
            .put("@type", "CatalogRequestMessage").encode()));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertRefused(HttpResponse<String> response, String code, String... fragments) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
    JsonObject error = new JsonObject(response.body());
    assertThat(error.getString("code")).isEqualTo(code);
    if (fragments.length > 0) {
      assertThat(error.getJsonArray("reason").getString(0)).contains(fragments);
    }
  }

  @Test
  void memberWithItsOwnTokenIsServedWithOrWithoutTheBearerScheme() throws Exception {
    HttpClient caller = member(CALLER);
    HttpResponse<String> bearer = catalog(caller, "Bearer " + token(CALLER, node.participantId()));
    assertThat(bearer.statusCode()).as(bearer.body()).isEqualTo(200);
    assertThat(new JsonObject(bearer.body()).getString("participantId")).isEqualTo(node.participantId());
    assertThat(catalog(caller, token(CALLER, node.participantId())).statusCode()).isEqualTo(200);
  }

  @Test
  void requestWithoutATokenIsRefusedOnDspAndDataPlaneEndpoints() throws Exception {
    HttpClient caller = member(CALLER);
    HttpResponse<String> dsp = catalog(caller, null);
    assertRefused(dsp, "token_missing", "node token is required");
    assertThat(dsp.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");

    // On the data plane the node token has its own header; in Authorization it is not looked for.
    URI data = URI.create(node.dspAddress() + "/public/transfers/unknown");
    HttpResponse<String> misplaced = caller.send(HttpRequest.newBuilder(data)
        .header("Authorization", "Bearer " + token(CALLER, node.participantId())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertRefused(misplaced, "token_missing");
    // With the node token in place, authentication passes and the access token is what is missing.
    HttpResponse<String> noAccessToken = caller.send(HttpRequest.newBuilder(data)
        .header("Socle-Node-Token", token(CALLER, node.participantId())).build(), HttpResponse.BodyHandlers.ofString());
    assertRefused(noAccessToken, "token_missing", "access token is required");
  }

  @Test
  void tokenOfAnotherMemberCarriedOverThisConnectionIsRefused() throws Exception {
    HttpResponse<String> response = catalog(member(CALLER), "Bearer " + token(OTHER, node.participantId()));
    assertRefused(response, "tls_certificate_mismatch", "is not the TLS client certificate", "Commune Test");
    assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer error=\"invalid_token\"");
  }

  @Test
  void tokenMadeOutToAnotherNodeIsRefused() throws Exception {
    String forOther = token(CALLER, Federation.tokens(federation, OTHER).issuer());
    assertRefused(catalog(member(CALLER), "Bearer " + forOther), "token_audience_mismatch",
        "expected aud '" + node.participantId() + "'");
  }

  @Test
  void tokenPlayedTwiceIsRefusedTheSecondTime() throws Exception {
    HttpClient caller = member(CALLER);
    String once = "Bearer " + token(CALLER, node.participantId());
    assertThat(catalog(caller, once).statusCode()).isEqualTo(200);
    assertRefused(catalog(caller, once), "token_replayed", "was already used");
  }

  @Test
  void revokedMemberIsRefusedWithoutRestartingTheNode() throws Exception {
    HttpClient revoked = member(REVOKED);
    NodeTokenIssuer tokens = Federation.tokens(federation, REVOKED);
    assertThat(catalog(revoked, "Bearer " + tokens.issue(node.participantId())).statusCode()).isEqualTo(200);

    socle("certs", "revoke", "--dir", federation.toString(), "--node", REVOKED, "--reason", "keyCompromise");

    // The same client keeps its TLS connection: only the token check can refuse it now.
    HttpResponse<String> response = Await.until(Duration.ofSeconds(10), "the revoked member refused",
        () -> catalog(revoked, "Bearer " + tokens.issue(node.participantId())), r -> r.statusCode() != 200);
    assertRefused(response, "certificate_revoked", "was revoked on", "keyCompromise");
    assertThat(Files.readString(node.log())).contains("certificate_revoked").contains("federation CRL number 2 installed");
    // New connections soon fail their handshake: the TLS layer is given the new CRL too, just after.
    IOException handshake = Await.until(Duration.ofSeconds(10), "a failed handshake of the revoked member", () -> {
      try {
        assertRefused(catalog(member(REVOKED), "Bearer " + tokens.issue(node.participantId())), "certificate_revoked");
        return null;
      } catch (IOException e) {
        return e;
      }
    }, Objects::nonNull);
    assertThat(handshake).as("handshake of a revoked client").isNotNull();
    // Outbound too: the node no longer opens connections to the revoked member.
    HttpResponse<String> outbound = Await.until(Duration.ofSeconds(10), "a refused call to the revoked member",
        () -> node.api().send("POST", "/api/catalog/request", new JsonObject()
            .put("counterPartyId", revokedNode.participantId()).put("counterPartyAddress", revokedNode.dspAddress())
            .encode()), r -> r.statusCode() != 200);
    assertThat(outbound.statusCode()).as(outbound.body()).isEqualTo(502);
    assertThat(new JsonObject(outbound.body()).getString("title")).isEqualTo("Partner unreachable");
    // Members in good standing are unaffected.
    assertThat(catalog(member(CALLER), "Bearer " + token(CALLER, node.participantId())).statusCode())
        .isEqualTo(200);
    assertThat(node.isAlive()).isTrue();
  }
}
