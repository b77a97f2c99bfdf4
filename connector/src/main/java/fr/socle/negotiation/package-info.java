/**
 * Runs contract negotiations on both sides, provider and consumer, as persisted state machines that
 * resume after a crash, and keeps the agreements they produce. The provider signs each agreement and the
 * consumer countersigns it with {@link fr.socle.agreement}, which also checks the partner's signature on
 * receipt. The consumer countersigns only an agreement that grants exactly the terms it asked for
 * ({@link fr.socle.negotiation.AgreementTerms}). May use catalog, policy, protocol, store, statemachine,
 * agreement and canonical; never audit.
 */
package fr.socle.negotiation;
