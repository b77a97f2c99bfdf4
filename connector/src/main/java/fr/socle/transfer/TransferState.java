package fr.socle.transfer;

import fr.socle.process.ProcessState;

import java.util.EnumSet;
import java.util.Set;

/**
 * States of a transfer process (DSP 2025-1), plus the -ING states of messages not yet delivered.
 *
 * <p>Spec: https://eclipse-dataspace-protocol-base.github.io/DataspaceProtocol/2025-1/#transfer-process-states
 * A started transfer may be suspended and started again by a new start message; either side may
 * suspend, complete or terminate it.
 */
public enum TransferState implements ProcessState<TransferState> {
  /** Consumer: the transfer request is to be sent. */
  REQUESTING,
  /** The request was received (provider) or acknowledged (consumer). */
  REQUESTED,
  /** Provider: the transfer is allowed; the start message is to be sent. */
  STARTING,
  /** Data may flow. */
  STARTED,
  /** The suspension message is to be sent. */
  SUSPENDING,
  /** Data may not flow until a new start message; the token is no longer accepted. */
  SUSPENDED,
  /**
   * A suspended transfer is to be started again. Provider: once the policy allows it again, its new
   * start message is to be sent. Consumer: the start message asking the provider to resume is to be sent.
   */
  RESUMING,
  /** The completion message is to be sent. */
  COMPLETING,
  /** The transfer ended normally; its token is no longer accepted. */
  COMPLETED,
  /** A termination is to be sent. */
  TERMINATING,
  /** The transfer ended abnormally or was refused. */
  TERMINATED;

  @Override
  public String dspState() {
    return switch (this) {
      case REQUESTING, REQUESTED, STARTING -> "REQUESTED";
      case STARTED, SUSPENDING, COMPLETING -> "STARTED";
      case SUSPENDED, RESUMING -> "SUSPENDED";
      case COMPLETED -> "COMPLETED";
      case TERMINATING, TERMINATED -> "TERMINATED";
    };
  }

  /**
   * Whether the provider's data endpoint serves this transfer: STARTED, and STARTING/RESUMING, where
   * the start's token is already stored and may reach the consumer before the acknowledgement.
   */
  public boolean servesData() {
    return this == STARTED || this == STARTING || this == RESUMING;
  }

  @Override
  public boolean isFinal() {
    return this == COMPLETED || this == TERMINATED;
  }

  /**
   * Whether a message asking for {@code target} is a redelivery and is acknowledged without change:
   * only when the transfer is already in {@code target}. The path loops (STARTED, SUSPENDED, STARTED)
   * so no order of states tells a late duplicate from a message out of turn. STARTED is excluded: a
   * repeated start carries a fresh data address that must be kept.
   */
  @Override
  public boolean hasReached(TransferState target) {
    return this == target && target != STARTED;
  }

  /** Whether a transfer may move from {@code this} to {@code target}. Pure; no I/O. */
  @Override
  public boolean canMoveTo(TransferState target) {
    return allowedFrom(target).contains(this);
  }

  static Set<TransferState> allowedFrom(TransferState target) {
    return switch (target) {
      case REQUESTING -> EnumSet.noneOf(TransferState.class);
      case REQUESTED -> EnumSet.of(REQUESTING);
      case STARTING -> EnumSet.of(REQUESTED);
      // The consumer may hear the start before it recorded the acknowledgement of its request, and
      // hears it again when a provider that crashed mid-send resends it with a fresh token, or resumes.
      case STARTED -> EnumSet.of(STARTING, RESUMING, REQUESTED, REQUESTING, STARTED, SUSPENDED);
      case SUSPENDING -> EnumSet.of(STARTED);
      // Either side may hear the other's suspension while its own message is in flight; a consumer
      // whose request to resume was acknowledged waits, suspended, for the provider's start.
      case SUSPENDED -> EnumSet.of(SUSPENDING, STARTED, STARTING, RESUMING);
      // The provider resumes on its own or because the consumer asked with a start message; the
      // consumer asks on its operator's initiative.
      case RESUMING -> EnumSet.of(SUSPENDED);
      case COMPLETING -> EnumSet.of(STARTED);
      // A provider may hear the completion before it recorded the acknowledgement of its start (or of
      // a resumption's start): the consumer had the data. A completion crossing this node's own
      // suspension ends the transfer too, rather than leaving both sides refusing each other's message.
      case COMPLETED -> EnumSet.of(COMPLETING, STARTED, STARTING, RESUMING, SUSPENDING);
      case TERMINATING -> EnumSet.of(REQUESTING, REQUESTED, STARTING, STARTED, SUSPENDING, SUSPENDED, RESUMING,
          COMPLETING);
      case TERMINATED -> EnumSet.of(REQUESTING, REQUESTED, STARTING, STARTED, SUSPENDING, SUSPENDED, RESUMING,
          COMPLETING, TERMINATING);
    };
  }
}
