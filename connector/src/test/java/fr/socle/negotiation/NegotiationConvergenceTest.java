package fr.socle.negotiation;

import fr.socle.process.Role;
import static fr.socle.negotiation.NegotiationState.*;
import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.protocol.PartnerState;
import org.junit.jupiter.api.Test;

/** Where a negotiation goes when its counter-party's own record is read back, over every combination. */
class NegotiationConvergenceTest {

  @Test
  void everyMoveIsOneTheStateMachineAllowsAndNothingFinalMoves() {
    for (Role role : Role.values()) {
      for (NegotiationState local : values()) {
        for (String partner : PartnerState.NEGOTIATION_STATES) {
          NegotiationState to = NegotiationConvergence.target(role, local, partner);
          if (local.isFinal()) {
            assertThat(to).as(role + " " + local + " / " + partner).isNull();
          } else if (to != null) {
            assertThat(local.canMoveTo(to)).as(role + " " + local + " -> " + to + " / " + partner).isTrue();
            assertThat(to.dspState()).as("lands where the counter-party is").isEqualTo(partner);
          }
        }
      }
    }
  }

  @Test
  void aConsumerThatVerifiedFollowsAFinalizedProvider() {
    assertThat(NegotiationConvergence.target(Role.CONSUMER, VERIFIED, "FINALIZED")).isEqualTo(FINALIZED);
    assertThat(NegotiationConvergence.target(Role.CONSUMER, VERIFYING, "FINALIZED")).isEqualTo(FINALIZED);
    assertThat(NegotiationConvergence.target(Role.CONSUMER, VERIFYING, "VERIFIED")).isEqualTo(VERIFIED);
    assertThat(NegotiationConvergence.target(Role.PROVIDER, FINALIZING, "FINALIZED")).isEqualTo(FINALIZED);
    assertThat(NegotiationConvergence.target(Role.PROVIDER, AGREEING, "AGREED")).isEqualTo(AGREED);
  }

  /** An agreement and its countersignature come in signed messages only, never from a GET. */
  @Test
  void nothingThatNeedsASignatureIsTakenFromTheCounterPartysState() {
    for (NegotiationState before : new NegotiationState[] {REQUESTING, REQUESTED, OFFERED, ACCEPTING, ACCEPTED}) {
      for (String partner : new String[] {"AGREED", "VERIFIED", "FINALIZED"}) {
        assertThat(NegotiationConvergence.target(Role.CONSUMER, before, partner)).as(before + " / " + partner)
            .isNull();
      }
    }
    assertThat(NegotiationConvergence.target(Role.CONSUMER, AGREED, "FINALIZED")).as("not yet countersigned").isNull();
    for (NegotiationState before : new NegotiationState[] {AGREEING, AGREED}) {
      assertThat(NegotiationConvergence.target(Role.PROVIDER, before, "VERIFIED")).as(before.name()).isNull();
      assertThat(NegotiationConvergence.target(Role.PROVIDER, before, "FINALIZED")).as(before.name()).isNull();
    }
  }

  @Test
  void aTerminatedCounterPartyEndsAnyUnfinishedNegotiationButNotAFinalizedOne() {
    for (Role role : Role.values()) {
      for (NegotiationState local : values()) {
        assertThat(NegotiationConvergence.target(role, local, "TERMINATED")).as(role + " " + local)
            .isEqualTo(local.isFinal() ? null : TERMINATED);
      }
    }
  }
}
