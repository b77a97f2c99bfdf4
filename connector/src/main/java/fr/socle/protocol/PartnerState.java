package fr.socle.protocol;

import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * A counter-party's own record of a process, as its DSP {@code GET /negotiations/:pid} or
 * {@code GET /transfers/:pid} answers it: the state it shows, read only from an answer that names
 * both process ids as this node knows them. A partner's JSON is never trusted blindly: an answer
 * about another process, or with a state DSP does not define, is refused.
 *
 * @param state the DSP state, as a bare term (e.g. {@code FINALIZED})
 */
public record PartnerState(String state) {

  /** The states of a DSP 2025-1 contract negotiation. */
  public static final Set<String> NEGOTIATION_STATES = Set.of("REQUESTED", "OFFERED", "ACCEPTED", "AGREED",
      "VERIFIED", "FINALIZED", "TERMINATED");
  /** The states of a DSP 2025-1 transfer process. */
  public static final Set<String> TRANSFER_STATES = Set.of("REQUESTED", "STARTED", "SUSPENDED", "COMPLETED",
      "TERMINATED");

  /** An answer this node cannot take as the partner's record of the process. Stackless: expected. */
  public static final class Unusable extends RuntimeException {
    public Unusable(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Reads {@code answer}, of DSP {@code type} ({@code ContractNegotiation} or {@code TransferProcess}),
   * which must name {@code providerPid} and {@code consumerPid} and one of {@code states}.
   *
   * @throws Unusable naming what does not match
   */
  public static PartnerState read(JsonObject answer, String type, String providerPid, String consumerPid,
      Set<String> states) {
    Object actualType = answer.getValue("@type");
    if (!(actualType instanceof String t) || !type.equals(t.replaceFirst("^.*[:/#]", ""))) {
      throw new Unusable("expected a " + type + ", got @type " + actualType);
    }
    if (!providerPid.equals(answer.getValue("providerPid")) || !consumerPid.equals(answer.getValue("consumerPid"))) {
      throw new Unusable("expected providerPid " + providerPid + " and consumerPid " + consumerPid + ", got "
          + answer.getValue("providerPid") + " and " + answer.getValue("consumerPid"));
    }
    // Compacted with the DSP context a state is a bare term; a peer may also send the full IRI.
    String state = answer.getValue("state") instanceof String s ? s.replaceFirst("^.*[:/#]", "") : null;
    if (state == null || !states.contains(state)) {
      throw new Unusable("expected a state among " + states + ", got " + answer.getValue("state"));
    }
    return new PartnerState(state);
  }
}
