package fr.socle.negotiation;

import static fr.socle.negotiation.NegotiationState.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The negotiation state machine, checked over every pair of states against an independent table. */
class NegotiationStateTest {

  private static final Map<NegotiationState, Set<NegotiationState>> EXPECTED_NEXT = Map.ofEntries(
      Map.entry(REQUESTING, EnumSet.of(REQUESTED, OFFERED, AGREED, TERMINATING, TERMINATED)),
      Map.entry(REQUESTED, EnumSet.of(OFFERING, OFFERED, AGREEING, AGREED, TERMINATING, TERMINATED)),
      Map.entry(OFFERING, EnumSet.of(OFFERED, REQUESTED, ACCEPTED, TERMINATING, TERMINATED)),
      Map.entry(OFFERED, EnumSet.of(REQUESTING, REQUESTED, OFFERED, ACCEPTING, ACCEPTED, TERMINATING, TERMINATED)),
      Map.entry(ACCEPTING, EnumSet.of(ACCEPTED, AGREED, TERMINATING, TERMINATED)),
      Map.entry(ACCEPTED, EnumSet.of(AGREEING, AGREED, TERMINATING, TERMINATED)),
      Map.entry(AGREEING, EnumSet.of(AGREED, VERIFIED, TERMINATING, TERMINATED)),
      Map.entry(AGREED, EnumSet.of(VERIFYING, VERIFIED, TERMINATING, TERMINATED)),
      Map.entry(VERIFYING, EnumSet.of(VERIFIED, FINALIZED, TERMINATING, TERMINATED)),
      Map.entry(VERIFIED, EnumSet.of(FINALIZING, FINALIZED, TERMINATING, TERMINATED)),
      Map.entry(FINALIZING, EnumSet.of(FINALIZED, TERMINATING, TERMINATED)),
      Map.entry(FINALIZED, EnumSet.noneOf(NegotiationState.class)),
      Map.entry(TERMINATING, EnumSet.of(TERMINATED)),
      Map.entry(TERMINATED, EnumSet.noneOf(NegotiationState.class)));

  @Test
  void everyPairOfStatesFollowsTheTable() {
    for (NegotiationState from : values()) {
      for (NegotiationState to : values()) {
        assertThat(from.canMoveTo(to)).as(from + " -> " + to).isEqualTo(EXPECTED_NEXT.get(from).contains(to));
      }
    }
  }

  @Test
  void everyStateIsInTheTable() {
    assertThat(EXPECTED_NEXT.keySet()).containsExactlyInAnyOrder(values());
  }

  @Test
  void redeliveredMessagesAreRecognisedAlongTheLinearPathOnly() {
    assertThat(FINALIZED.hasReached(FINALIZED)).isTrue();
    assertThat(FINALIZED.hasReached(VERIFIED)).isTrue();
    assertThat(VERIFIED.hasReached(AGREED)).isTrue();
    assertThat(AGREED.hasReached(VERIFIED)).isFalse();
    assertThat(TERMINATED.hasReached(FINALIZED)).isFalse();
    assertThat(TERMINATED.hasReached(AGREED)).isFalse();
    assertThat(FINALIZED.hasReached(TERMINATED)).isFalse();
    assertThat(TERMINATED.hasReached(TERMINATED)).isTrue();
    assertThat(AGREED.hasReached(ACCEPTED)).isTrue();
    assertThat(ACCEPTING.hasReached(ACCEPTED)).isFalse();
    // In the counter-offer loop a second request or offer is a new move, never a duplicate.
    assertThat(REQUESTED.hasReached(REQUESTED)).isFalse();
    assertThat(ACCEPTED.hasReached(OFFERED)).isFalse();
    assertThat(OFFERED.hasReached(OFFERED)).isFalse();
  }

  @Test
  void negativeScenariosOfTheConformanceKitAreRefused() {
    assertThat(FINALIZED.canMoveTo(TERMINATED)).as("termination after finalization").isFalse();
    assertThat(OFFERED.canMoveTo(VERIFIED)).as("verification of an offer").isFalse();
    assertThat(ACCEPTED.canMoveTo(VERIFIED)).as("verification before agreement").isFalse();
    assertThat(REQUESTED.canMoveTo(REQUESTED)).as("second counter-request in a row").isFalse();
    assertThat(REQUESTED.canMoveTo(FINALIZED)).as("finalization of a request").isFalse();
    assertThat(OFFERED.canMoveTo(AGREED)).as("agreement before acceptance").isFalse();
    assertThat(ACCEPTED.canMoveTo(OFFERED)).as("offer after acceptance").isFalse();
    assertThat(AGREED.canMoveTo(FINALIZED)).as("finalization before verification").isFalse();
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
    assertThat(OFFERING.dspState()).isEqualTo("REQUESTED");
    assertThat(ACCEPTING.dspState()).isEqualTo("OFFERED");
    assertThat(VERIFYING.dspState()).isEqualTo("AGREED");
    assertThat(FINALIZING.dspState()).isEqualTo("VERIFIED");
    assertThat(TERMINATING.dspState()).isEqualTo("TERMINATED");
  }
}
