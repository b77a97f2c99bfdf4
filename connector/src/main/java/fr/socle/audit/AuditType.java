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
  /** An operator change: assets, policies, offers, participants, configuration. */
  ADMIN
}
