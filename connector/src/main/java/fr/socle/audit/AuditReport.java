package fr.socle.audit;

import fr.socle.trust.ReasonCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;

/**
 * The checks {@link AuditVerifier} ran, in order. Checking stops at the first failure, because later
 * checks would build on what just failed; the failed check is therefore always the last one.
 *
 * @param unsigned the export's entries that no signed tree head covers; null when checking stopped
 *     before the tree head was trusted
 */
public record AuditReport(List<Check> checks, Unsigned unsigned) {

  /**
   * One check: its name, {@code failure == null} when it holds, and what was found. A {@code warning}
   * holds but tells the reader something the verdict alone would hide.
   */
  public record Check(String name, ReasonCode failure, String message, boolean warning) {
    public Check {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(message, "message");
    }

    public Check(String name, ReasonCode failure, String message) {
      this(name, failure, message, false);
    }

    public boolean ok() {
      return failure == null;
    }

    /** {@code ok   name: message}, {@code warn name: message} or {@code FAIL name: message}. */
    public String line() {
      return (!ok() ? "FAIL " : warning ? "warn " : "ok   ") + name + ": " + message;
    }

    public JsonObject toJson() {
      return new JsonObject().put("name", name).put("status", !ok() ? "fail" : warning ? "warn" : "ok")
          .put("reason", failure == null ? null : failure.code()).put("message", message);
    }
  }

  /**
   * Entries {@code [from, to)} of the export lie after the last signed tree head, of size {@code
   * signedSize}: their hashes were recomputed but no signature vouches for them, so a node could
   * still drop or rewrite them unseen. Empty ({@code from == to}) when the head covers the export.
   */
  public record Unsigned(long signedSize, long from, long to) {
    public long count() {
      return to - from;
    }

    public JsonObject toJson() {
      return new JsonObject().put("count", count()).put("from", from).put("to", to).put("signedSize", signedSize);
    }
  }

  public AuditReport {
    checks = List.copyOf(checks);
  }

  public AuditReport(List<Check> checks) {
    this(checks, null);
  }

  /** True when every check held. */
  public boolean ok() {
    return checks.stream().allMatch(Check::ok);
  }

  /** The failed check, or null when all held. */
  public Check failure() {
    return checks.stream().filter(c -> !c.ok()).findFirst().orElse(null);
  }

  /** The report for programs: the verdict, every check, and the unsigned entries (null if unknown). */
  public JsonObject toJson() {
    return new JsonObject().put("ok", ok())
        .put("checks", new JsonArray(checks.stream().map(Check::toJson).toList()))
        .put("unsigned", unsigned == null ? null : unsigned.toJson());
  }
}
