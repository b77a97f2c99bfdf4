package fr.socle.audit;

/** What an audit entry records; stored by name, so constants may be added but never renamed. */
public enum AuditType {
  /** A policy decision: input digest, result, reasons, bundle revision, decision id. */
  DECISION,
  /** A contract negotiation event (offer, acceptance, agreement, termination). */
  NEGOTIATION,
  /** A transfer process event (request, start, completion, suspension, termination). */
  TRANSFER,
  /** A signed contract agreement, as exchanged by provider and consumer. */
  AGREEMENT,
  /** A data-plane access: who read which asset under which agreement. */
  DATA_ACCESS,
  /**
   * Data this node received as a consumer: from which provider, under which agreement, pulled or
   * pushed, how many bytes, with which SHA-256, and whether whole.
   */
  DATA_RECEIVED,
  /** An operator change: assets, policies, offers, participants, configuration. */
  ADMIN,
  /**
   * OPA's own record of a decision, from its decision-log upload: corroboration of the node's {@link
   * #DECISION} entry with the same decision id, never a substitute for it (OPA may drop events).
   */
  OPA_DECISION,
  /** A signed policy bundle the node runs with, kept by revision in its data directory. */
  BUNDLE
}
