package fr.socle.trust;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.testing.Federation;
import fr.socle.testing.Jws;
import fr.socle.testing.Paths;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The order of {@link SignedJws}'s steps, for the profile of each of its three users (node tokens and
 * agreement signatures on a node, tree heads offline): every JWS here is wrong in two ways, and must be
 * refused for the earlier step. The chain verifier counts its calls, so "before any chain work" is
 * checked, not inferred. The users' own tests check the same through their verifiers.
 */
class SignedJwsTest {

  private static final Clock CLOCK = Clock.systemUTC();

  @TempDir
  static Path foreignDir;

  private static TrustMaterial provider;
  private static TrustMaterial outsider;
  private static TrustMaterial foreign;

  @BeforeAll
  static void load() {
    provider = TrustMaterial.load(Paths.certs().resolve("nodes").resolve(Federation.PROVIDER), Paths.certs());
    outsider = TrustMaterial.load(Paths.certs().resolve("nodes").resolve(Federation.OUTSIDER), Paths.certs());
    foreign = TrustMaterial.load(Federation.foreignNode(foreignDir), foreignDir);
  }

  /** One user's pipeline, with a chain verifier that counts how often it is asked. */
  record Profile(String name, String type, boolean named, boolean offline) {

    SignedJws pipeline(AtomicInteger chainChecks) {
      FederationVerifier verifier = offline ? FederationVerifier.offline(provider.rootCa(), CLOCK)
          : provider.verifier(CLOCK);
      Supplier<FederationVerifier> counted = () -> {
        chainChecks.incrementAndGet();
        return verifier;
      };
      return named ? SignedJws.named(name, type, counted) : SignedJws.byCertificate(name, type, counted);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Profile> users() {
    return Stream.of(new Profile("node token", "socle-node+jwt", true, false),
        new Profile("agreement signature", "socle-agreement+jws", true, false),
        new Profile("tree head", "socle-sth+jwt", false, true));
  }

  private static final JsonObject CLAIMS = new JsonObject().put("claim", "value");

  @ParameterizedTest(name = "{0}")
  @MethodSource("users")
  void aWrongTypeIsRefusedBeforeAnUnsignedAlg(Profile user) {
    AtomicInteger chainChecks = new AtomicInteger();
    String jws = Jws.compact(Jws.header("none", "JWT", foreign.nodeChain()), CLAIMS, null);
    assertRefused(user.pipeline(chainChecks).verify(jws), JwsReason.WRONG_TYPE, "typ is 'JWT', want '" + user.type()
        + "'");
    assertThat(chainChecks).hasValue(0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("users")
  void anUnsignedOrForeignAlgIsRefusedBeforeAnyChainWork(Profile user) {
    AtomicInteger chainChecks = new AtomicInteger();
    SignedJws pipeline = user.pipeline(chainChecks);
    // The foreign chain would be untrusted: the alg step must answer first.
    assertRefused(pipeline.verify(Jws.compact(Jws.header("none", user.type(), foreign.nodeChain()), CLAIMS, null)),
        JwsReason.UNSIGNED, "unsigned " + user.name() + ": alg 'none'");
    assertRefused(pipeline.verify(Jws.compact(Jws.header("ES256", user.type(), foreign.nodeChain()), CLAIMS, null)),
        JwsReason.UNSIGNED, "the signature part is empty");
    assertRefused(pipeline.verify(Jws.compact(Jws.header("HS256", user.type(), foreign.nodeChain()), CLAIMS,
        foreign.nodeKey())), JwsReason.ALG_NOT_ALLOWED, "alg 'HS256' is not allowed, want 'ES256'");
    JsonObject critical = Jws.header("ES256", user.type(), foreign.nodeChain()).put("crit", new JsonArray().add("exp"))
        .put("exp", 0);
    assertRefused(pipeline.verify(Jws.compact(critical, CLAIMS, foreign.nodeKey())), JwsReason.MALFORMED,
        "critical header parameters are not supported");
    assertThat(chainChecks).hasValue(0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("users")
  void aChainOutsideTheFederationIsRefusedBeforeTheSignature(Profile user) {
    AtomicInteger chainChecks = new AtomicInteger();
    // Foreign chain, and a signature by a key that is not its leaf's: the chain answers first.
    String jws = Jws.compact(Jws.header("ES256", user.type(), foreign.nodeChain()), CLAIMS, provider.nodeKey());
    SignedJws.Outcome outcome = user.pipeline(chainChecks).verify(jws);
    assertThat(outcome).isInstanceOfSatisfying(SignedJws.Refused.class, refused -> {
      assertThat(refused.reason()).as(refused.detail()).isEqualTo(JwsReason.UNTRUSTED_CHAIN);
      assertThat(refused.chain().reason()).isEqualTo(Reason.UNTRUSTED_ISSUER);
      assertThat(refused.detail()).endsWith("(untrusted_issuer)");
    });
    assertThat(chainChecks).hasValue(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("users")
  void theSignatureIsCheckedBeforeAnyClaimIsHandedOver(Profile user) {
    AtomicInteger chainChecks = new AtomicInteger();
    // A member's chain signed by another member's key; the payload is not even the caller's claims.
    String jws = Jws.compact(Jws.header("ES256", user.type(), provider.nodeChain()), new JsonObject(),
        outsider.nodeKey());
    assertRefused(user.pipeline(chainChecks).verify(jws), JwsReason.BAD_SIGNATURE,
        "the signature does not verify with the key of the x5c certificate '"
            + Participant.displayName(provider.nodeCertificate()) + "'");
    assertThat(chainChecks).hasValue(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("users")
  void theSignedClaimsAreHandedOverWithTheSigner(Profile user) {
    // typ is a media type, compared ignoring case (RFC 7515 §4.1.9).
    String jws = Jws.compact(Jws.header("ES256", user.type().toUpperCase(Locale.ROOT), provider.nodeChain()), CLAIMS,
        provider.nodeKey());
    SignedJws.Outcome outcome = user.pipeline(new AtomicInteger()).verify(jws);
    assertThat(outcome).isInstanceOfSatisfying(SignedJws.Signed.class, signed -> {
      assertThat(signed.claims()).isEqualTo(CLAIMS);
      assertThat(signed.signer()).isEqualTo(provider.nodeCertificate());
      assertThat(signed.participant()).isEqualTo(user.named() ? provider.participant() : null);
    });
  }

  private static void assertRefused(SignedJws.Outcome outcome, JwsReason reason, String detail) {
    assertThat(outcome).isInstanceOfSatisfying(SignedJws.Refused.class, refused -> {
      assertThat(refused.reason()).as(refused.detail()).isEqualTo(reason);
      assertThat(refused.detail()).contains(detail);
      assertThat(refused.chain()).isNull();
    });
  }
}
