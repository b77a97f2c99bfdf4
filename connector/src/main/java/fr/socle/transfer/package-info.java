/**
 * Runs transfer processes on both sides as persisted state machines: the provider decides and hands
 * out a data address with an access token, the consumer receives it and reports completion.
 */
package fr.socle.transfer;
