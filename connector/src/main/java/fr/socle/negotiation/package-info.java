/**
 * Runs contract negotiations on both sides, provider and consumer, as persisted state machines that
 * resume after a crash, and keeps the agreements they produce.
 */
package fr.socle.negotiation;
