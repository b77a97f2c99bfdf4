package fr.socle.transfer;

import static fr.socle.transfer.TransferState.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The transfer state machine, checked over every pair of states against an independent table. */
class TransferStateTest {

  private static final Map<TransferState, Set<TransferState>> EXPECTED_NEXT = Map.of(
      REQUESTING, EnumSet.of(REQUESTED, STARTED, TERMINATING, TERMINATED),
      REQUESTED, EnumSet.of(STARTING, STARTED, TERMINATING, TERMINATED),
      STARTING, EnumSet.of(STARTED, TERMINATING, TERMINATED),
      STARTED, EnumSet.of(STARTED, COMPLETING, COMPLETED, TERMINATING, TERMINATED),
      COMPLETING, EnumSet.of(COMPLETED, TERMINATING, TERMINATED),
      COMPLETED, EnumSet.noneOf(TransferState.class),
      TERMINATING, EnumSet.of(TERMINATED),
      TERMINATED, EnumSet.noneOf(TransferState.class));

  @Test
  void everyPairOfStatesFollowsTheTable() {
    for (TransferState from : values()) {
      for (TransferState to : values()) {
        assertThat(from.canMoveTo(to)).as(from + " -> " + to).isEqualTo(EXPECTED_NEXT.get(from).contains(to));
      }
    }
  }

  @Test
  void redeliveredMessagesAreRecognisedButARepeatedStartIsKept() {
    assertThat(COMPLETED.hasReached(COMPLETED)).isTrue();
    assertThat(COMPLETED.hasReached(REQUESTED)).isTrue();
    assertThat(STARTED.hasReached(STARTED)).isFalse();
    assertThat(TERMINATED.hasReached(COMPLETED)).isFalse();
  }

  @Test
  void completedTransfersCannotRestart() {
    assertThat(COMPLETED.canMoveTo(STARTED)).isFalse();
    assertThat(TERMINATED.canMoveTo(STARTED)).isFalse();
  }
}
