/**
 * The bytes of the data plane, and nothing about who may move them: streaming an asset from its
 * source (file with ranges and digest, HTTP backend, SQL query as CSV) to a sink with back-pressure,
 * relaying a response body, checking and writing a received body to disk in order (within the node's
 * disk budget for received bodies, one upload per transfer at a time), and the buffer and socket tuning
 * all of these share. Depends only on {@code catalog} (where an asset's bytes come from);
 * tokens, policy decisions, audit and HTTP routes belong to {@code transfer} and {@code edge}.
 */
package fr.socle.dataplane;
