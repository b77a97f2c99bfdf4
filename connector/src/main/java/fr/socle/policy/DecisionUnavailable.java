package fr.socle.policy;

/**
 * A request that needed decisions the policy engine could not make now (see
 * {@link Decision#undecided()}): answered as a temporary unavailability, never as a refusal or as
 * a shorter answer. Stackless: an expected outcome, mapped to a 503 at the edge.
 */
public final class DecisionUnavailable extends RuntimeException {

  /** How long a caller should wait before asking again: about the time an OPA sidecar takes to restart. */
  public static final int RETRY_AFTER_SECONDS = 5;

  private final Decision decision;
  private final LocalizedText reason;

  /** @param what what could not be decided, in English and French, e.g. an offer of a catalog */
  public static DecisionUnavailable of(Decision decision, LocalizedText what) {
    return new DecisionUnavailable(decision, reason(decision, what));
  }

  private DecisionUnavailable(Decision decision, LocalizedText reason) {
    super(reason.en(), null, false, false);
    this.decision = decision;
    this.reason = reason;
  }

  private static LocalizedText reason(Decision decision, LocalizedText what) {
    return new LocalizedText("The policy engine could not decide on " + what.en() + " (" + decision.summary("en")
        + "); nothing is answered rather than an incomplete answer: retry in a few seconds.",
        "Le moteur de politiques n'a pas pu décider " + what.in("fr") + " (" + decision.summary("fr")
        + ") ; rien n'est répondu plutôt qu'une réponse incomplète : réessayez dans quelques secondes.");
  }

  /** The stable code of the first reason the decision could not be made, e.g. {@code policy_engine_unavailable}. */
  public String code() {
    return decision.reasons().isEmpty() ? Decision.ENGINE_UNAVAILABLE : decision.reasons().get(0).code();
  }

  public Decision decision() {
    return decision;
  }

  /** The reason in English and French. */
  public LocalizedText reason() {
    return reason;
  }
}
