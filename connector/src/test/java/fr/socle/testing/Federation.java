package fr.socle.testing;

import fr.socle.trust.FederationPki;
import fr.socle.trust.NodeRequest;
import fr.socle.trust.NodeTokenIssuer;
import fr.socle.trust.TrustMaterial;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** The development federation's demo members, as certs-dev/ holds them, and strangers to it. */
public final class Federation {

  /** The région: publishes the dataset. */
  public static final String PROVIDER = "region-exemple";
  /** A Corsican commune, inside the policy's territory. */
  public static final String CONSUMER = "commune-esempiu";
  /** A métropole outside Corsica. */
  public static final String OUTSIDER = "metropole-exemple";

  private Federation() {
  }

  /**
   * Signs node tokens as node {@code slug} of the federation in {@code federationDir}, as that node
   * would on its own calls; for tests that speak DSP to a node directly.
   */
  public static NodeTokenIssuer tokens(Path federationDir, String slug) {
    return new NodeTokenIssuer(TrustMaterial.load(federationDir.resolve("nodes").resolve(slug), federationDir),
        Clock.systemUTC());
  }

  /** A token of the development federation's node {@code slug} for a call to {@code audience}. */
  public static String token(String slug, String audience) {
    return tokens(Paths.certs(), slug).issue(audience);
  }

  /** A node certificate and key issued by another federation, in {@code dir}. */
  public static Path foreignNode(Path dir) {
    FederationPki pki = new FederationPki();
    pki.initFederation(dir, "Fédération étrangère (test)", Duration.ofDays(3650));
    return pki.issueNode(dir, NodeRequest.of("732829320", "Collectivité étrangère (test)")).dir();
  }
}
