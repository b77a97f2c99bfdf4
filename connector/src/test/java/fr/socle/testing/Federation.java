package fr.socle.testing;

import java.nio.file.Path;

/** The development federation's demo members, as certs-dev/ holds them, and strangers to it. */
public final class Federation {

  /** The région: publishes the dataset. */
  public static final String PROVIDER = "region-exemple";
  /** A Corsican commune, inside the policy's territory. */
  public static final String CONSUMER = "commune-pietralba";
  /** A métropole outside Corsica. */
  public static final String OUTSIDER = "metropole-exemple";

  private Federation() {
  }

  /** A node certificate and key issued by another federation, in {@code dir}. */
  public static Path foreignNode(Path dir) {
    throw new UnsupportedOperationException("todo");
  }
}
