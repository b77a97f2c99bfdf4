/**
 * RFC 8785 canonical JSON ({@link fr.socle.canonical.Jcs}): the one byte form that is hashed or signed
 * wherever a JSON value must hash the same on every node and for every auditor (audit leaves, agreement
 * digests). Pure functions over Vert.x JSON values; depends on no other Socle package.
 */
package fr.socle.canonical;
