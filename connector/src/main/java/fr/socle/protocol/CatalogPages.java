package fr.socle.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading a partner's paginated catalog: where the next page is, and how pages add up. */
final class CatalogPages {

  private static final Pattern LINK = Pattern.compile("<([^>]*)>\\s*((?:;\\s*[^;,]+)*)");
  private static final Pattern NEXT = Pattern.compile(";\\s*rel\\s*=\\s*\"?([^\";]*)\"?");

  private CatalogPages() {
  }

  /**
   * The {@code rel="next"} target of an RFC 8288 {@code Link} header, resolved against the first
   * page's address; null when there is none, or when it points to another origin (a partner's
   * catalog cannot send this node, with its credentials, somewhere else).
   */
  static String next(String first, String header) {
    if (header == null) {
      return null;
    }
    Matcher link = LINK.matcher(header);
    while (link.find()) {
      Matcher rel = NEXT.matcher(link.group(2));
      while (rel.find()) {
        for (String value : rel.group(1).trim().split("\\s+")) {
          if (value.equalsIgnoreCase("next")) {
            return sameOrigin(first, link.group(1).trim());
          }
        }
      }
    }
    return null;
  }

  private static String sameOrigin(String first, String target) {
    try {
      URI base = URI.create(first);
      // java.net.URI resolves a query-only reference against the parent path (RFC 2396), not the
      // page itself as RFC 3986 §5.2 says.
      URI resolved = target.startsWith("?") ? URI.create(first.replaceFirst("[?#].*$", "") + target)
          : base.resolve(target);
      boolean same = base.getScheme().equalsIgnoreCase(resolved.getScheme())
          && base.getHost().equalsIgnoreCase(resolved.getHost()) && base.getPort() == resolved.getPort();
      return same ? resolved.toString() : null;
    } catch (IllegalArgumentException | NullPointerException e) {
      return null;
    }
  }

  /**
   * {@code merged} with {@code page}'s datasets appended; the rest of the catalog is the first page's.
   * Neither is modified, and neither is copied deeply: a deep copy per page made reading a catalog
   * quadratic, and 5,000 datasets ran a node out of memory.
   */
  static JsonObject merge(JsonObject merged, JsonObject page) {
    JsonArray more = datasets(page);
    if (more.isEmpty()) {
      return merged;
    }
    List<Object> all = new ArrayList<>(datasets(merged).getList());
    all.addAll(more.getList());
    JsonObject out = new JsonObject(new LinkedHashMap<>(merged.getMap()));
    return out.put("dataset", new JsonArray(all));
  }

  private static JsonArray datasets(JsonObject catalog) {
    Object value = catalog.getValue("dataset");
    if (value instanceof JsonArray array) {
      return array;
    }
    return value instanceof JsonObject one ? new JsonArray().add(one) : new JsonArray();
  }
}
