package fr.socle.dataplane;

/**
 * A database a node may export SQL sources from, named in its configuration; the credentials stay
 * on the node and never appear in an asset or a catalog.
 */
public record SqlDatabase(String url, String user, String password) {
}
