package fr.socle.catalog;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where an asset's bytes live: a file under the node's data directory, an HTTP(S) backend whose
 * credentials stay on the node, or a SQL query on a configured database exported as CSV — the three
 * places a territory keeps its data. Partners never see a source.
 */
public sealed interface AssetSource {

  /** A file, relative to the node's data directory. */
  record FileSource(String path) implements AssetSource {
  }

  /** An HTTP(S) backend; {@code headers} (e.g. its own credentials) are added by the node. */
  record HttpSource(String url, Map<String, String> headers) implements AssetSource {
  }

  /** A read-only query on a database named in the node's configuration, streamed as CSV. */
  record SqlSource(String dataSource, String query) implements AssetSource {
  }

  /** Reads a source, refusing with a message that names what is wrong. */
  static AssetSource fromJson(JsonObject json) {
    String type = json.getString("type", "");
    switch (type) {
      case "file" -> {
        String path = required(json, "path");
        if (path.startsWith("/") || path.contains("..") || path.contains("\\")) {
          throw new IllegalArgumentException("source.path must be relative to the node's data directory, got '"
              + path + "'");
        }
        return new FileSource(path);
      }
      case "http" -> {
        String url = required(json, "url");
        URI uri;
        try {
          uri = URI.create(url);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("source.url is not a URL: '" + url + "'");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
          throw new IllegalArgumentException("source.url must be an absolute http(s) URL, got '" + url + "'");
        }
        Map<String, String> headers = new TreeMap<>();
        JsonObject given = json.getJsonObject("headers", new JsonObject());
        for (String name : given.fieldNames()) {
          if (!(given.getValue(name) instanceof String value)) {
            throw new IllegalArgumentException("source.headers." + name + " must be a string");
          }
          headers.put(name, value);
        }
        return new HttpSource(url, Map.copyOf(headers));
      }
      case "sql" -> {
        String query = required(json, "query");
        if (!query.stripLeading().regionMatches(true, 0, "select", 0, 6)) {
          throw new IllegalArgumentException("source.query must be a SELECT statement, got '" + query + "'");
        }
        return new SqlSource(required(json, "dataSource"), query);
      }
      default -> throw new IllegalArgumentException("source.type must be one of file, http, sql; got '" + type + "'");
    }
  }

  /** The stored form, secrets included: only for the node's own database. */
  default JsonObject toJson() {
    if (this instanceof FileSource f) {
      return new JsonObject().put("type", "file").put("path", f.path());
    }
    if (this instanceof HttpSource h) {
      return new JsonObject().put("type", "http").put("url", h.url())
          .put("headers", new JsonObject(new java.util.LinkedHashMap<String, Object>(h.headers())));
    }
    SqlSource s = (SqlSource) this;
    return new JsonObject().put("type", "sql").put("dataSource", s.dataSource()).put("query", s.query());
  }

  /** The operator's view: header values (credentials) are masked. */
  default JsonObject toRedactedJson() {
    JsonObject json = toJson();
    if (this instanceof HttpSource h) {
      JsonObject masked = new JsonObject();
      h.headers().keySet().forEach(name -> masked.put(name, "***"));
      json.put("headers", masked);
    }
    return json;
  }

  private static String required(JsonObject json, String name) {
    Object value = json.getValue(name);
    if (!(value instanceof String s) || s.isBlank()) {
      throw new IllegalArgumentException("source." + name + " is required and must be a non-empty string, got "
          + value);
    }
    return s;
  }
}
