package fr.socle.negotiation;

import static fr.socle.negotiation.NegotiationState.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The negotiation state machine, checked over every pair of states against an independent table. */
class NegotiationStateTest {

  private static final Map<NegotiationState, Set<NegotiationState>> EXPECTED_NEXT = Map.of(
      REQUESTING, EnumSet.of(REQUESTED, AGREED, TERMINATING, TERMINATED),
      REQUESTED, EnumSet.of(AGREEING, AGREED, TERMINATING, TERMINATED),
      AGREEING, EnumSet.of(AGREED, VERIFIED, TERMINATING, TERMINATED),
      AGREED, EnumSet.of(VERIFYING, VERIFIED, TERMINATING, TERMINATED),
      VERIFYING, EnumSet.of(VERIFIED, FINALIZED, TERMINATING, TERMINATED),
      VERIFIED, EnumSet.of(FINALIZING, FINALIZED, TERMINATING, TERMINATED),
      FINALIZING, EnumSet.of(FINALIZED, TERMINATING, TERMINATED),
      FINALIZED, EnumSet.noneOf(NegotiationState.class),
      TERMINATING, EnumSet.of(TERMINATED),
      TERMINATED, EnumSet.noneOf(NegotiationState.class));

  @Test
  void everyPairOfStatesFollowsTheTable() {
    for (NegotiationState from : values()) {
      for (NegotiationState to : values()) {
        assertThat(from.canMoveTo(to)).as(from + " -> " + to).isEqualTo(EXPECTED_NEXT.get(from).contains(to));
      }
    }
  }

  @Test
  void redeliveredMessagesAreRecognisedAlongTheHappyPathOnly() {
    assertThat(FINALIZED.hasReached(FINALIZED)).isTrue();
    assertThat(FINALIZED.hasReached(VERIFIED)).isTrue();
    assertThat(VERIFIED.hasReached(AGREED)).isTrue();
    assertThat(AGREED.hasReached(VERIFIED)).isFalse();
    assertThat(TERMINATED.hasReached(FINALIZED)).isFalse();
    assertThat(TERMINATED.hasReached(AGREED)).isFalse();
    assertThat(FINALIZED.hasReached(TERMINATED)).isFalse();
    assertThat(TERMINATED.hasReached(TERMINATED)).isTrue();
  }

  @Test
  void finalStatesAreTerminal() {
    assertThat(EnumSet.allOf(NegotiationState.class).stream().filter(NegotiationState::isFinal))
        .containsExactlyInAnyOrder(FINALIZED, TERMINATED);
  }

  @Test
  void internalStatesShowTheLastSettledDspState() {
    assertThat(REQUESTING.dspState()).isEqualTo("REQUESTED");
    assertThat(AGREEING.dspState()).isEqualTo("REQUESTED");
    assertThat(VERIFYING.dspState()).isEqualTo("AGREED");
    assertThat(FINALIZING.dspState()).isEqualTo("VERIFIED");
    assertThat(TERMINATING.dspState()).isEqualTo("TERMINATED");
  }
}
