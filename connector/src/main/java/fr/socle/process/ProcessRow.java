package fr.socle.process;

/**
 * One persisted DSP process as the shared moves see it; {@code id} is this node's process id, the
 * counter-party's is {@code counterPartyPid} (null until it answered).
 */
public interface ProcessRow<S extends ProcessState<S>> {

  String id();

  Role role();

  S state();

  String counterPartyId();

  String counterPartyPid();

  String counterPartyAddress();

  default String providerPid() {
    return role() == Role.PROVIDER ? id() : counterPartyPid();
  }

  default String consumerPid() {
    return role() == Role.CONSUMER ? id() : counterPartyPid();
  }
}
