package fr.socle.policy;

/** The decision points of a node; each is one OPA rule under {@code data.socle.decision}. */
public enum Scope {
  /** Which offers a participant may see in the catalog. */
  CATALOG,
  /** Whether a contract request may be agreed. */
  NEGOTIATION,
  /** Whether a transfer under an agreement may start. */
  TRANSFER,
  /** Every data-plane request. */
  ACCESS;

  public String path() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
