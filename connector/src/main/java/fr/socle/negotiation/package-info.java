/**
 * Runs contract negotiations on both sides, provider and consumer, as persisted state machines that
 * resume after a crash, and keeps the agreements they produce, signed by the provider and
 * countersigned by the consumer ({@link fr.socle.negotiation.AgreementSigner},
 * {@link fr.socle.negotiation.AgreementVerifier}).
 */
package fr.socle.negotiation;
