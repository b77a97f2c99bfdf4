package fr.socle.audit;

import java.util.List;
import java.util.Objects;

/**
 * The checks {@link AuditVerifier} ran, in order. Checking stops at the first failure, because later
 * checks would build on what just failed; the failed check is therefore always the last one.
 */
public record AuditReport(List<Check> checks) {

  /** One check: its name, {@code failure == null} when it holds, and what was found. */
  public record Check(String name, Reason failure, String message) {
    public Check {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(message, "message");
    }

    public boolean ok() {
      return failure == null;
    }

    /** {@code ok   name: message} or {@code FAIL name: message}. */
    public String line() {
      return (ok() ? "ok   " : "FAIL ") + name + ": " + message;
    }
  }

  public AuditReport {
    checks = List.copyOf(checks);
  }

  /** True when every check held. */
  public boolean ok() {
    return checks.stream().allMatch(Check::ok);
  }

  /** The failed check, or null when all held. */
  public Check failure() {
    return checks.stream().filter(c -> !c.ok()).findFirst().orElse(null);
  }
}
