package fr.socle.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fr.socle.testing.Jws;
import fr.socle.testing.Vectors;
import fr.socle.trust.JwsReason;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link TreeHeadSigner} and {@link TreeHeadVerifier}; the refusals are driven by the {@code sth-*} vectors. */
class TreeHeadTest {

  private static final TestPki PKI = TestPki.create("Tree head test");

  static Stream<Arguments> vectors() throws IOException, URISyntaxException {
    return Vectors.load("audit", "sth-");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void verifiesAsTheVectorSays(String name, JsonObject vector) throws GeneralSecurityException {
    JsonObject in = vector.getJsonObject("inputs");
    X509Certificate root = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(in.getString("rootCa").getBytes(StandardCharsets.US_ASCII)));
    TreeHeadVerifier verifier = new TreeHeadVerifier(root, Clock.fixed(Instant.parse(in.getString("at")),
        ZoneOffset.UTC));
    TreeHeadResult result = verifier.verify(in.getString("jws"));
    String code = result instanceof Rejected r ? r.reason().code() : "ok";
    assertThat(code).as(vector.getString("desc") + " -> " + result).isEqualTo(vector.getString("wantReason"));
  }

  @Test
  void signedHeadVerifiesToTheSameHead() {
    byte[] root = Merkle.rootOf(VectorGenerator.leaves(9));
    SignedTreeHead head = PKI.signer().sign(9, root, Instant.parse("2026-02-03T04:05:06.789123Z"));
    assertThat(head.time()).isEqualTo(Instant.parse("2026-02-03T04:05:06.789Z"));

    TreeHeadResult result = verifier(PKI).verify(head.jws());

    assertThat(result).isInstanceOf(TreeHeadResult.Verified.class);
    TreeHeadResult.Verified verified = (TreeHeadResult.Verified) result;
    assertThat(verified.head()).isEqualTo(head);
    assertThat(verified.signer()).isEqualTo(PKI.node);
    JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(head.jws().split("\\.")[0]),
        StandardCharsets.UTF_8));
    assertThat(header.getString("typ")).isEqualTo("socle-sth+jwt");
    assertThat(header.getString("alg")).isEqualTo("ES256");
    assertThat(header.getJsonArray("x5c")).hasSize(1);
    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(head.jws().split("\\.")[1]),
        StandardCharsets.UTF_8));
    assertThat(claims).isEqualTo(new JsonObject().put("size", 9).put("root", Merkle.encodeHash(root))
        .put("time", "2026-02-03T04:05:06.789Z"));
  }

  @Test
  void refusalMessagesAreExact() {
    String jws = PKI.signer().sign(1, Merkle.hashLeaf(new byte[0]), TestPki.VALID_AT).jws();
    String[] parts = jws.split("\\.");
    String flipped = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(VectorGenerator.flipBit(Base64.getUrlDecoder().decode(parts[2])));
    assertThat(verifier(PKI).verify(parts[0] + "." + parts[1] + "." + flipped))
        .isEqualTo(new Rejected(JwsReason.BAD_SIGNATURE,
            "the signature does not verify with the key of the x5c certificate 'Tree head test node'"));
    assertThat(verifier(PKI).verify(parts[0] + "." + parts[1]))
        .isEqualTo(new Rejected(JwsReason.MALFORMED, "tree head is not a compact JWS: 2 parts, want 3"));
    assertThat(verifier(TestPki.create("Elsewhere")).verify(jws)).isInstanceOfSatisfying(Rejected.class, r -> {
      assertThat(r.reason()).isEqualTo(JwsReason.UNTRUSTED_CHAIN);
      assertThat(r.detail()).startsWith("x5c does not chain to root CN=Elsewhere Root CA: ");
    });
  }

  /** The pipeline's order (see SignedJwsTest): each head is wrong twice and refused for the earlier step. */
  @Test
  void checksRunInThePipelineOrder() {
    TestPki elsewhere = TestPki.create("Elsewhere");
    JsonObject claims = new JsonObject().put("size", 1).put("root", Merkle.encodeHash(Merkle.hashLeaf(new byte[0])))
        .put("time", "2026-01-01T00:00:00.000Z");
    assertThat(verifier(PKI).verify(Jws.compact(Jws.header("none", "JWT", List.of(elsewhere.node)), claims, null)))
        .isInstanceOfSatisfying(Rejected.class, r -> assertThat(r.reason()).isEqualTo(JwsReason.WRONG_TYPE));
    assertThat(verifier(PKI).verify(Jws.compact(Jws.header("none", TreeHeadSigner.TYPE, List.of(elsewhere.node)),
        claims, null))).isInstanceOfSatisfying(Rejected.class,
            r -> assertThat(r.reason()).isEqualTo(JwsReason.UNSIGNED));
    assertThat(verifier(PKI).verify(Jws.compact(Jws.header("ES256", TreeHeadSigner.TYPE, List.of(elsewhere.node)),
        claims, PKI.nodeKeys.getPrivate()))).isInstanceOfSatisfying(Rejected.class,
            r -> assertThat(r.reason()).isEqualTo(JwsReason.UNTRUSTED_CHAIN));
  }

  @Test
  void signerRefusesKeysItCannotUseAtConstruction() throws GeneralSecurityException {
    KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC");
    p384.initialize(new ECGenParameterSpec("secp384r1"));
    assertThatThrownBy(() -> new TreeHeadSigner(p384.generateKeyPair().getPrivate(), List.of(PKI.node)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("tree head key must be an EC P-256 private key, got EC key");
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    assertThatThrownBy(() -> new TreeHeadSigner(rsa.generateKeyPair().getPrivate(), List.of(PKI.node)))
        .hasMessageStartingWith("tree head key must be an EC P-256 private key, got RSA key");
    assertThatThrownBy(() -> new TreeHeadSigner(PKI.nodeKeys.getPrivate(), List.of()))
        .hasMessage("tree head certificate chain is empty, want the node certificate first");
    assertThatThrownBy(() -> new TreeHeadSigner(PKI.nodeKeys.getPrivate(), List.of(PKI.anotherNode("Other"))))
        .hasMessage("tree head key does not match certificate CN=Other");
  }

  static TreeHeadVerifier verifier(TestPki pki) {
    return new TreeHeadVerifier(pki.root, Clock.fixed(TestPki.VALID_AT, ZoneOffset.UTC));
  }
}
