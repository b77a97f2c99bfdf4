/**
 * Asks the node's Open Policy Agent for every decision (catalog, negotiation, transfer, access) and
 * fails closed: an unreachable, slow or malformed policy engine yields a denial with a reason. At the
 * bottom of the house: it imports no other Socle package.
 */
package fr.socle.policy;
