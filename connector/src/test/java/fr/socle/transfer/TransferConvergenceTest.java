package fr.socle.transfer;

import static fr.socle.transfer.TransferState.*;
import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.process.Role;
import fr.socle.protocol.PartnerState;
import org.junit.jupiter.api.Test;

/** Where a transfer goes when its counter-party's own record is read back, over every combination. */
class TransferConvergenceTest {

  @Test
  void everyMoveIsOneTheStateMachineAllowsAndNothingFinalMoves() {
    for (Role role : Role.values()) {
      for (TransferState local : values()) {
        for (String partner : PartnerState.TRANSFER_STATES) {
          TransferState to = TransferConvergence.target(role, local, partner);
          if (local.isFinal()) {
            assertThat(to).as(role + " " + local + " / " + partner).isNull();
          } else if (to != null) {
            assertThat(local.canMoveTo(to)).as(role + " " + local + " -> " + to + " / " + partner).isTrue();
            assertThat(to.dspState()).isEqualTo(partner);
          }
        }
      }
    }
  }

  @Test
  void aProviderStillStartingFollowsAConsumerThatCompletedOrStarted() {
    assertThat(TransferConvergence.target(Role.PROVIDER, STARTING, "COMPLETED")).isEqualTo(COMPLETED);
    assertThat(TransferConvergence.target(Role.PROVIDER, STARTING, "STARTED")).isEqualTo(STARTED);
    assertThat(TransferConvergence.target(Role.PROVIDER, RESUMING, "COMPLETED")).isEqualTo(COMPLETED);
    assertThat(TransferConvergence.target(Role.CONSUMER, SUSPENDING, "SUSPENDED")).isEqualTo(SUSPENDED);
    assertThat(TransferConvergence.target(Role.CONSUMER, COMPLETING, "COMPLETED")).isEqualTo(COMPLETED);
  }

  @Test
  void nothingOnlyAMessageOrThePolicyEngineGivesIsTakenFromTheCounterPartysState() {
    // A consumer needs the start message's data address; a provider resuming needs its policy engine's yes.
    assertThat(TransferConvergence.target(Role.CONSUMER, REQUESTED, "STARTED")).isNull();
    assertThat(TransferConvergence.target(Role.CONSUMER, REQUESTING, "STARTED")).isNull();
    assertThat(TransferConvergence.target(Role.PROVIDER, RESUMING, "STARTED")).isNull();
    assertThat(TransferConvergence.target(Role.PROVIDER, SUSPENDED, "STARTED")).isNull();
    assertThat(TransferConvergence.target(Role.PROVIDER, REQUESTED, "COMPLETED")).as("never started").isNull();
    assertThat(TransferConvergence.target(Role.CONSUMER, SUSPENDED, "COMPLETED")).isNull();
  }

  @Test
  void aTerminatedCounterPartyEndsAnyUnfinishedTransferButNotACompletedOne() {
    for (Role role : Role.values()) {
      for (TransferState local : values()) {
        assertThat(TransferConvergence.target(role, local, "TERMINATED")).as(role + " " + local)
            .isEqualTo(local.isFinal() ? null : TERMINATED);
      }
    }
  }
}
