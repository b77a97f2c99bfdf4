package fr.socle.testing;

import fr.socle.trust.FederationPki;
import fr.socle.trust.NodeRequest;
import java.nio.file.Path;
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

  /** A node certificate and key issued by another federation, in {@code dir}. */
  public static Path foreignNode(Path dir) {
    FederationPki pki = new FederationPki();
    pki.initFederation(dir, "Fédération étrangère (test)", Duration.ofDays(3650));
    return pki.issueNode(dir, NodeRequest.of("732829320", "Collectivité étrangère (test)")).dir();
  }
}
