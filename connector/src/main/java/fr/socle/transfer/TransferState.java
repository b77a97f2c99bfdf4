package fr.socle.transfer;

import java.util.EnumSet;
import java.util.Set;

/** States of a transfer process (DSP 2025-1), plus the -ING states of messages not yet delivered. */
public enum TransferState {
  /** Consumer: the transfer request is to be sent. */
  REQUESTING,
  /** The request was received (provider) or acknowledged (consumer). */
  REQUESTED,
  /** Provider: the policy engine allowed the transfer; the start message is to be sent. */
  STARTING,
  /** Data may flow. */
  STARTED,
  /** Consumer: the completion message is to be sent. */
  COMPLETING,
  /** The transfer ended normally; its token is no longer accepted. */
  COMPLETED,
  /** A termination is to be sent. */
  TERMINATING,
  /** The transfer ended abnormally or was refused. */
  TERMINATED;

  public String dspState() {
    return switch (this) {
      case REQUESTING, REQUESTED, STARTING -> "REQUESTED";
      case STARTED, COMPLETING -> "STARTED";
      case COMPLETED -> "COMPLETED";
      case TERMINATING, TERMINATED -> "TERMINATED";
    };
  }

  public boolean isFinal() {
    return this == COMPLETED || this == TERMINATED;
  }

  /**
   * Whether {@code this} is {@code target} or lies after it on the way to COMPLETED: a message asking
   * for {@code target} is then a redelivery and is acknowledged without change. STARTED is excluded:
   * a repeated start carries a fresh data address that must be kept.
   */
  public boolean hasReached(TransferState target) {
    if (target == STARTED) {
      return false;
    }
    if (this == target) {
      return true;
    }
    boolean happy = this != TERMINATING && this != TERMINATED;
    boolean happyTarget = target != TERMINATING && target != TERMINATED;
    return happy && happyTarget && ordinal() > target.ordinal();
  }

  /** Whether a transfer may move from {@code this} to {@code target}. Pure; no I/O. */
  public boolean canMoveTo(TransferState target) {
    return allowedFrom(target).contains(this);
  }

  static Set<TransferState> allowedFrom(TransferState target) {
    return switch (target) {
      case REQUESTING -> EnumSet.noneOf(TransferState.class);
      case REQUESTED -> EnumSet.of(REQUESTING);
      case STARTING -> EnumSet.of(REQUESTED);
      // The consumer may hear the start before it recorded the acknowledgement of its request, and
      // hears it again when a provider that crashed mid-send resends it with a fresh token.
      case STARTED -> EnumSet.of(STARTING, REQUESTED, REQUESTING, STARTED);
      case COMPLETING -> EnumSet.of(STARTED);
      case COMPLETED -> EnumSet.of(COMPLETING, STARTED);
      case TERMINATING -> EnumSet.of(REQUESTING, REQUESTED, STARTING, STARTED, COMPLETING);
      case TERMINATED -> EnumSet.of(REQUESTING, REQUESTED, STARTING, STARTED, COMPLETING, TERMINATING);
    };
  }
}
