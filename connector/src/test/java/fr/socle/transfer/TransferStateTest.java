package fr.socle.transfer;

import static fr.socle.transfer.TransferState.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The transfer state machine, checked over every pair of states against an independent table. */
class TransferStateTest {

  private static final Map<TransferState, Set<TransferState>> EXPECTED_NEXT = Map.ofEntries(
      Map.entry(REQUESTING, EnumSet.of(REQUESTED, STARTED, TERMINATING, TERMINATED)),
      Map.entry(REQUESTED, EnumSet.of(STARTING, STARTED, TERMINATING, TERMINATED)),
      // A completion may arrive before the acknowledgement of the start is recorded.
      Map.entry(STARTING, EnumSet.of(STARTED, SUSPENDED, COMPLETED, TERMINATING, TERMINATED)),
      Map.entry(STARTED, EnumSet.of(STARTED, SUSPENDING, SUSPENDED, COMPLETING, COMPLETED, TERMINATING, TERMINATED)),
      Map.entry(SUSPENDING, EnumSet.of(SUSPENDED, COMPLETED, TERMINATING, TERMINATED)),
      Map.entry(SUSPENDED, EnumSet.of(RESUMING, STARTED, TERMINATING, TERMINATED)),
      // A consumer's request to resume, once acknowledged, waits SUSPENDED for the provider's start.
      Map.entry(RESUMING, EnumSet.of(STARTED, SUSPENDED, COMPLETED, TERMINATING, TERMINATED)),
      Map.entry(COMPLETING, EnumSet.of(COMPLETED, TERMINATING, TERMINATED)),
      Map.entry(COMPLETED, EnumSet.noneOf(TransferState.class)),
      Map.entry(TERMINATING, EnumSet.of(TERMINATED)),
      Map.entry(TERMINATED, EnumSet.noneOf(TransferState.class)));

  @Test
  void everyPairOfStatesFollowsTheTable() {
    for (TransferState from : values()) {
      for (TransferState to : values()) {
        assertThat(from.canMoveTo(to)).as(from + " -> " + to).isEqualTo(EXPECTED_NEXT.get(from).contains(to));
      }
    }
  }

  @Test
  void everyStateIsInTheTable() {
    assertThat(EXPECTED_NEXT.keySet()).containsExactlyInAnyOrder(values());
  }

  @Test
  void redeliveredMessagesAreRecognisedButARepeatedStartIsKept() {
    assertThat(COMPLETED.hasReached(COMPLETED)).isTrue();
    assertThat(SUSPENDED.hasReached(SUSPENDED)).isTrue();
    assertThat(TERMINATED.hasReached(TERMINATED)).isTrue();
    assertThat(STARTED.hasReached(STARTED)).isFalse();
    assertThat(TERMINATED.hasReached(COMPLETED)).isFalse();
    // The path loops through SUSPENDED, so a later state says nothing about an earlier message.
    assertThat(COMPLETED.hasReached(REQUESTED)).isFalse();
    assertThat(SUSPENDED.hasReached(COMPLETED)).isFalse();
  }

  @Test
  void negativeScenariosOfTheConformanceKitAreRefused() {
    assertThat(REQUESTED.canMoveTo(COMPLETED)).as("completion of a request").isFalse();
    assertThat(REQUESTED.canMoveTo(SUSPENDED)).as("suspension of a request").isFalse();
    assertThat(SUSPENDED.canMoveTo(COMPLETED)).as("completion while suspended").isFalse();
    assertThat(TERMINATED.canMoveTo(SUSPENDED)).as("suspension after termination").isFalse();
  }

  @Test
  void completedTransfersCannotRestart() {
    assertThat(COMPLETED.canMoveTo(STARTED)).isFalse();
    assertThat(TERMINATED.canMoveTo(STARTED)).isFalse();
  }
}
