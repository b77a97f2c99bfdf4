package fr.socle.negotiation;

import fr.socle.process.ProcessState;

import java.util.EnumSet;
import java.util.Set;

/**
 * States of a contract negotiation, as DSP 2025-1 names them, plus the -ING states in which a node
 * has decided to send a message and has not yet had it acknowledged.
 *
 * <p>Spec: https://eclipse-dataspace-protocol-base.github.io/DataspaceProtocol/2025-1/#contract-negotiation-states
 * Counter-offers loop between REQUESTED and OFFERED; from AGREED on, the path to FINALIZED is
 * linear. Either side may terminate any unfinished negotiation.
 */
public enum NegotiationState implements ProcessState<NegotiationState> {
  /** Consumer: a contract request (first one or counter-request) is to be sent. */
  REQUESTING,
  /** The contract request was received (provider) or acknowledged (consumer). */
  REQUESTED,
  /** Provider: an offer is to be sent. */
  OFFERING,
  /** The offer was sent (provider) or received (consumer). */
  OFFERED,
  /** Consumer: the ACCEPTED event is to be sent. */
  ACCEPTING,
  /** The consumer accepted the provider's last offer. */
  ACCEPTED,
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
  @Override
  public String dspState() {
    return switch (this) {
      case REQUESTING, REQUESTED, OFFERING, AGREEING -> "REQUESTED";
      case OFFERED, ACCEPTING -> "OFFERED";
      case ACCEPTED -> "ACCEPTED";
      case AGREED, VERIFYING -> "AGREED";
      case VERIFIED, FINALIZING -> "VERIFIED";
      case FINALIZED -> "FINALIZED";
      case TERMINATING, TERMINATED -> "TERMINATED";
    };
  }

  @Override
  public boolean isFinal() {
    return this == FINALIZED || this == TERMINATED;
  }

  /**
   * Whether a message asking for {@code target} is a redelivery (a partner that crashed after
   * sending it resends it on restart) and is acknowledged without change: {@code this} is
   * {@code target} or lies after it on the linear part of the path (ACCEPTED to FINALIZED), or both
   * are TERMINATED. REQUESTED and OFFERED are never "reached": in the counter-offer loop a second
   * request or offer is a new move, and out of turn it is an error the partner must hear about.
   */
  @Override
  public boolean hasReached(NegotiationState target) {
    if (this == TERMINATED || target == TERMINATED) {
      return this == target;
    }
    int have = progress();
    int want = target.progress();
    return want > 0 && have >= want;
  }

  /** Rank on the linear path from ACCEPTED to FINALIZED; 0 off it. -ING states rank below their -ED. */
  private int progress() {
    return switch (this) {
      case ACCEPTING -> 1;
      case ACCEPTED -> 2;
      case AGREEING -> 3;
      case AGREED -> 4;
      case VERIFYING -> 5;
      case VERIFIED -> 6;
      case FINALIZING -> 7;
      case FINALIZED -> 8;
      case REQUESTING, REQUESTED, OFFERING, OFFERED, TERMINATING, TERMINATED -> 0;
    };
  }

  /** Whether a negotiation may move from {@code this} to {@code target}. Pure; no I/O. */
  @Override
  public boolean canMoveTo(NegotiationState target) {
    return allowedFrom(target).contains(this);
  }

  static Set<NegotiationState> allowedFrom(NegotiationState target) {
    return switch (target) {
      // A consumer answers the provider's offer with a counter-request.
      case REQUESTING -> EnumSet.of(OFFERED);
      // The provider may hear the counter-request before it recorded that its offer was delivered.
      case REQUESTED -> EnumSet.of(REQUESTING, OFFERED, OFFERING);
      case OFFERING -> EnumSet.of(REQUESTED);
      // The consumer may hear the offer before it recorded the acknowledgement of its request; a
      // provider may revise its offer, or resend it after a crash, while the consumer holds it.
      case OFFERED -> EnumSet.of(OFFERING, REQUESTED, REQUESTING, OFFERED);
      case ACCEPTING -> EnumSet.of(OFFERED);
      case ACCEPTED -> EnumSet.of(ACCEPTING, OFFERED, OFFERING);
      case AGREEING -> EnumSet.of(REQUESTED, ACCEPTED);
      // A consumer may receive the agreement before it has recorded the provider's acknowledgement.
      case AGREED -> EnumSet.of(AGREEING, REQUESTED, REQUESTING, ACCEPTED, ACCEPTING);
      case VERIFYING -> EnumSet.of(AGREED);
      // The provider may hear the verification before it recorded that its agreement was delivered.
      case VERIFIED -> EnumSet.of(VERIFYING, AGREED, AGREEING);
      case FINALIZING -> EnumSet.of(VERIFIED);
      // The consumer may hear FINALIZED before it recorded the acknowledgement of its verification.
      case FINALIZED -> EnumSet.of(FINALIZING, VERIFIED, VERIFYING);
      case TERMINATING -> EnumSet.of(REQUESTING, REQUESTED, OFFERING, OFFERED, ACCEPTING, ACCEPTED, AGREEING, AGREED,
          VERIFYING, VERIFIED, FINALIZING);
      case TERMINATED -> EnumSet.of(REQUESTING, REQUESTED, OFFERING, OFFERED, ACCEPTING, ACCEPTED, AGREEING, AGREED,
          VERIFYING, VERIFIED, FINALIZING, TERMINATING);
    };
  }
}
