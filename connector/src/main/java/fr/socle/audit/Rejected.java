package fr.socle.audit;

import fr.socle.trust.ReasonCode;
import java.util.Objects;

/**
 * An expected refusal of untrusted input: the reason code and a message saying what was expected and
 * what was found. Shared by the proof and tree head results so callers handle one shape; the reason is
 * audit's own {@link Reason} for a proof, a {@link fr.socle.trust.JwsReason} for a tree head.
 */
public record Rejected(ReasonCode reason, String detail) implements ProofResult, TreeHeadResult {
  public Rejected {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(detail, "detail");
  }

  @Override
  public String toString() {
    return reason.code() + ": " + detail;
  }
}
