package fr.socle.process;

/** Which side of an exchange this node plays. */
public enum Role {
  /** Publishes the asset and decides. */
  PROVIDER,
  /** Asks for the asset. */
  CONSUMER
}
