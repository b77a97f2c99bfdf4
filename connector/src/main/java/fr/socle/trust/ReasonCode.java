package fr.socle.trust;

/**
 * A refusal reason with a stable snake_case code. Each package keeps the reasons that are its own
 * (trust's {@link Reason}, the JWS pipeline's {@link JwsReason}, audit's, the agreement's), and one
 * report or answer may carry reasons of several, so they meet here. Codes appear on the wire, in
 * reports and in test vectors: a constant is never renamed, only added.
 */
public interface ReasonCode {

  /** The stable snake_case code, e.g. {@code untrusted_chain}. */
  String code();
}
