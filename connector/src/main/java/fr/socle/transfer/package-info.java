/**
 * Runs transfer processes on both sides as persisted state machines, and owns what data moves under
 * a transfer: the data addresses and their URLs, the signed access tokens (EDR) and receiver tokens,
 * the access decision and audit of each pull or push, the provider's pusher and the consumer's fetcher.
 * Uses {@code dataplane} for the bytes themselves; never imports the HTTP surfaces of {@code edge}.
 */
package fr.socle.transfer;
