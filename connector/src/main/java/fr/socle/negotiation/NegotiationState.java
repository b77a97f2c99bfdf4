package fr.socle.negotiation;

import java.util.EnumSet;
import java.util.Set;

/**
 * States of a contract negotiation, as DSP 2025-1 names them, plus the -ING states in which a node
 * has decided to send a message and has not yet had it acknowledged.
 */
public enum NegotiationState {
  /** Consumer: a contract request is to be sent. */
  REQUESTING,
  /** The contract request was received (provider) or acknowledged (consumer). */
  REQUESTED,
  /** Provider: the policy engine agreed; the agreement is to be sent. */
  AGREEING,
  /** The agreement was sent (provider) or received (consumer). */
  AGREED,
  /** Consumer: the agreement verification is to be sent. */
  VERIFYING,
  /** The verification was received (provider) or acknowledged (consumer). */
  VERIFIED,
  /** Provider: the FINALIZED event is to be sent. */
  FINALIZING,
  /** The negotiation ended with a valid agreement. */
  FINALIZED,
  /** A termination is to be sent to the counter-party. */
  TERMINATING,
  /** The negotiation ended without agreement. */
  TERMINATED;

  /** The state DSP shows to partners: -ING states are internal and show the last settled state. */
  public String dspState() {
    return switch (this) {
      case REQUESTING, REQUESTED -> "REQUESTED";
      case AGREEING -> "REQUESTED";
      case AGREED, VERIFYING -> "AGREED";
      case VERIFIED, FINALIZING -> "VERIFIED";
      case FINALIZED -> "FINALIZED";
      case TERMINATING, TERMINATED -> "TERMINATED";
    };
  }

  public boolean isFinal() {
    return this == FINALIZED || this == TERMINATED;
  }

  /**
   * Whether {@code this} is {@code target} or lies after it on the way to FINALIZED: a message
   * asking for {@code target} is then a redelivery (a partner that crashed after sending it resends
   * it on restart) and is acknowledged without change.
   */
  public boolean hasReached(NegotiationState target) {
    if (this == target) {
      return true;
    }
    boolean happy = this != TERMINATING && this != TERMINATED;
    boolean happyTarget = target != TERMINATING && target != TERMINATED;
    return happy && happyTarget && ordinal() > target.ordinal();
  }

  /** Whether a negotiation may move from {@code this} to {@code target}. Pure; no I/O. */
  public boolean canMoveTo(NegotiationState target) {
    return allowedFrom(target).contains(this);
  }

  static Set<NegotiationState> allowedFrom(NegotiationState target) {
    return switch (target) {
      case REQUESTING -> EnumSet.noneOf(NegotiationState.class);
      case REQUESTED -> EnumSet.of(REQUESTING);
      case AGREEING -> EnumSet.of(REQUESTED);
      // A consumer may receive the agreement before it has recorded the provider's acknowledgement.
      case AGREED -> EnumSet.of(AGREEING, REQUESTED, REQUESTING);
      case VERIFYING -> EnumSet.of(AGREED);
      // The provider may hear the verification before it recorded that its agreement was delivered.
      case VERIFIED -> EnumSet.of(VERIFYING, AGREED, AGREEING);
      case FINALIZING -> EnumSet.of(VERIFIED);
      // The consumer may hear FINALIZED before it recorded the acknowledgement of its verification.
      case FINALIZED -> EnumSet.of(FINALIZING, VERIFIED, VERIFYING);
      case TERMINATING -> EnumSet.of(REQUESTING, REQUESTED, AGREEING, AGREED, VERIFYING, VERIFIED, FINALIZING);
      case TERMINATED -> EnumSet.of(REQUESTING, REQUESTED, AGREEING, AGREED, VERIFYING, VERIFIED, FINALIZING,
          TERMINATING);
    };
  }
}
