/**
 * Moves the bytes of a started transfer: the provider's public endpoint checks the access token and
 * asks the policy engine on every request before streaming, and the consumer's fetcher pulls them.
 */
package fr.socle.dataplane;
