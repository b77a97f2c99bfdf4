/**
 * Persists assets, offers, negotiations, agreements and transfers through JDBC, on an embedded SQLite
 * database by default or PostgreSQL, with every statement run off the event loop.
 *
 * <p>State rows change only through conditional updates ({@code WHERE id = ? AND state = ?}); a
 * zero-row update is reported as a {@link fr.socle.store.Conflict}, never ignored. Secrets kept in rows
 * (a partner's tokens) are encrypted with a key derived from the node key ({@link
 * fr.socle.store.SealedValues}). At the bottom of the house: it imports no other Socle package.
 */
package fr.socle.store;
