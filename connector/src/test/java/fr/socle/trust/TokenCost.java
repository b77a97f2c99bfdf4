package fr.socle.trust;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;

/**
 * Measures what a node token costs: signing on the caller, full verification (chain, CRL, signature,
 * claims, replay cache) on the callee. Not a test; run after {@code mvn package}:
 *
 * <pre>
 * java -cp 'connector/target/test-classes:connector/target/classes:connector/target/lib/*' fr.socle.trust.TokenCost [rounds]
 * </pre>
 */
public final class TokenCost {

  private TokenCost() {
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
    Path dir = Files.createTempDirectory("token-cost");
    FederationPki pki = new FederationPki();
    Path fed = dir.resolve("fed");
    pki.initFederation(fed, "Fed", Duration.ofDays(3650));
    TrustMaterial caller = TrustMaterial.load(pki.issueNode(fed, NodeRequest.of("219900016", "Caller")).dir(), fed);
    TrustMaterial callee = TrustMaterial.load(pki.issueNode(fed, NodeRequest.of("239900038", "Callee")).dir(), fed);
    Clock clock = Clock.systemUTC();
    NodeTokenIssuer issuer = new NodeTokenIssuer(caller, clock);
    NodeTokenVerifier verifier = new NodeTokenVerifier(callee.participant().id(),
        new FederationTrust(callee, new FederationLayout(fed).crl(), clock), new ReplayCache(4 * rounds, clock), clock);
    String audience = callee.participant().id().value();

    for (int i = 0; i < rounds; i++) {
      verify(verifier, issuer.issue(audience), caller);
    }
    long[] sign = new long[rounds];
    long[] verify = new long[rounds];
    for (int i = 0; i < rounds; i++) {
      long t0 = System.nanoTime();
      String token = issuer.issue(audience);
      long t1 = System.nanoTime();
      verify(verifier, token, caller);
      long t2 = System.nanoTime();
      sign[i] = t1 - t0;
      verify[i] = t2 - t1;
    }
    long[] total = new long[rounds];
    for (int i = 0; i < rounds; i++) {
      total[i] = sign[i] + verify[i];
    }
    System.out.printf("%d rounds after %d warm-up; microseconds, median / p90%n", rounds, rounds);
    System.out.printf("sign            %7.1f / %7.1f%n", percentile(sign, 50), percentile(sign, 90));
    System.out.printf("verify          %7.1f / %7.1f%n", percentile(verify, 50), percentile(verify, 90));
    System.out.printf("sign + verify   %7.1f / %7.1f%n", percentile(total, 50), percentile(total, 90));
  }

  private static void verify(NodeTokenVerifier verifier, String token, TrustMaterial caller) {
    Verification result = verifier.verify(token, caller.nodeCertificate());
    if (!(result instanceof Verification.Verified)) {
      throw new IllegalStateException("token refused: " + result);
    }
  }

  private static double percentile(long[] nanos, int p) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, sorted.length * p / 100)] / 1_000.0;
  }
}
