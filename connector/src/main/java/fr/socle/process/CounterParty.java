package fr.socle.process;

/**
 * Who a process is with: the partner's participant id, its own process id (null until it answered)
 * and the DSP address its messages go to.
 */
public record CounterParty(String id, String pid, String address) {
}
