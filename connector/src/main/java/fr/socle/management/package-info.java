/**
 * The operator's REST API (assets, policies, offers, partner catalogs, negotiations, transfers),
 * protected by an API key, answering errors as RFC 9457 problem+json; plus {@code /health} and
 * {@code /ready} for supervisors.
 */
package fr.socle.management;
