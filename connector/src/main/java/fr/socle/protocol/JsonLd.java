package fr.socle.protocol;

import com.apicatalog.jsonld.JsonLdError;
import com.apicatalog.jsonld.JsonLdErrorCode;
import com.apicatalog.jsonld.document.Document;
import com.apicatalog.jsonld.document.JsonDocument;
import com.apicatalog.jsonld.loader.DocumentLoader;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.json.Json;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.URI;
import java.util.Map;

/**
 * JSON-LD processing of incoming DSP messages, with the DSP 2025-1 context and its ODRL profile
 * bundled in the node ({@code resources/jsonld/}).
 *
 * <p>Contract: a message is expanded first, which checks that it is well-formed JSON-LD whose
 * contexts are all known, and that its type is the DSP type the endpoint expects. A message that
 * already uses the DSP context as its only context is then kept exactly as sent, since it is in the
 * compacted form the node reads (and an agreement is stored as signed); any other form (expanded
 * JSON-LD, another context, prefixed terms) is compacted against the DSP context.
 *
 * <p>Threat countered: a context is never fetched, so a message cannot make the node issue requests
 * (server-side request forgery, slow or huge remote documents) nor redefine DSP terms through a
 * context of its choosing. Any context other than the bundled ones is refused with a 400.
 *
 * <p>Spec: https://eclipse-dataspace-protocol-base.github.io/DataspaceProtocol/2025-1/#json-ld-context
 */
public final class JsonLd {

  static final String ODRL_PROFILE = "https://w3id.org/dspace/2025/1/odrl-profile.jsonld";
  private static final String NAMESPACE = "https://w3id.org/dspace/2025/1/";
  private static final Map<URI, Document> CONTEXTS = Map.of(
      URI.create(Dsp.CONTEXT), bundled("jsonld/dspace-2025-1.jsonld"),
      URI.create(ODRL_PROFILE), bundled("jsonld/dspace-2025-1-odrl-profile.jsonld"));
  private static final DocumentLoader LOADER = (uri, options) -> {
    Document document = CONTEXTS.get(uri);
    if (document == null) {
      throw new JsonLdError(JsonLdErrorCode.LOADING_REMOTE_CONTEXT_FAILED,
          "context " + uri + " is not one this node knows (it never fetches contexts); use " + Dsp.CONTEXT);
    }
    return document;
  };
  private static final JsonDocument DSP_CONTEXT = JsonDocument.of(Json.createObjectBuilder()
      .add("@context", Json.createArrayBuilder().add(Dsp.CONTEXT)).build());

  private JsonLd() {
  }

  /**
   * The message in the DSP context's compacted form; throws a 400 {@link Refusal} naming what is
   * wrong when it is not JSON-LD the node can read or not of {@code expectedType}.
   */
  static JsonObject compacted(JsonObject body, String expectedType) {
    jakarta.json.JsonObject document = toJakarta(body);
    jakarta.json.JsonArray expanded;
    try {
      expanded = com.apicatalog.jsonld.JsonLd.expand(JsonDocument.of(document)).loader(LOADER).get();
    } catch (JsonLdError e) {
      throw Refusal.invalid("the " + expectedType + " is not JSON-LD this node can process: " + reason(e));
    }
    if (expanded.size() != 1 || expanded.get(0).getValueType() != JsonValue.ValueType.OBJECT) {
      throw Refusal.invalid("expected one " + expectedType + " object, got " + expanded.size() + " nodes");
    }
    String type = type(expanded.getJsonObject(0));
    if (!(NAMESPACE + expectedType).equals(type)) {
      throw Refusal.invalid("expected @type " + expectedType + ", got "
          + (type != null && type.startsWith(NAMESPACE) ? type.substring(NAMESPACE.length()) : body.getValue("@type")));
    }
    if (onlyDspContext(body.getValue("@context"))) {
      return body;
    }
    try {
      jakarta.json.JsonObject compacted = com.apicatalog.jsonld.JsonLd.compact(JsonDocument.of(expanded), DSP_CONTEXT)
          .loader(LOADER).get();
      return new JsonObject(compacted.toString());
    } catch (JsonLdError e) {
      throw Refusal.invalid("the " + expectedType + " cannot be compacted with the DSP context: " + reason(e));
    }
  }

  /**
   * {@code node} in expanded form, read as it reads under {@code member} of a DSP {@code messageType}
   * message (an offer in a ContractRequestMessage, an agreement in a ContractAgreementMessage): the DSP
   * context defines the ODRL terms only inside its message types, so a bare policy means nothing
   * outside one. What two policies mean can then be compared whatever their member order, prefixes or
   * single values against arrays. Throws a 400 {@link Refusal} when it is not JSON-LD the node can read.
   */
  public static JsonObject expandedIn(String messageType, String member, JsonObject node) {
    JsonObject message = Dsp.message(messageType).put(member, node);
    jakarta.json.JsonArray expanded;
    try {
      expanded = com.apicatalog.jsonld.JsonLd.expand(JsonDocument.of(toJakarta(message))).loader(LOADER).get();
    } catch (JsonLdError e) {
      throw Refusal.invalid("the " + member + " is not JSON-LD this node can process: " + reason(e));
    }
    JsonValue values = expanded.size() == 1 && expanded.get(0) instanceof jakarta.json.JsonObject m
        ? m.get(NAMESPACE + member) : null;
    if (!(values instanceof jakarta.json.JsonArray array) || array.size() != 1
        || array.get(0).getValueType() != JsonValue.ValueType.OBJECT) {
      throw Refusal.invalid("expected one " + member + " object, got " + (values == null ? "none" : values));
    }
    return new JsonObject(array.get(0).toString());
  }

  /** The innermost message: Titanium wraps the loader's own explanation in a generic one. */
  private static String reason(Throwable e) {
    String message = e.getMessage();
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c.getMessage() != null) {
        message = c.getMessage();
      }
    }
    return message;
  }

  private static boolean onlyDspContext(Object context) {
    return Dsp.CONTEXT.equals(context)
        || (context instanceof JsonArray array && array.size() == 1 && Dsp.CONTEXT.equals(array.getValue(0)));
  }

  private static String type(jakarta.json.JsonObject node) {
    JsonValue types = node.get("@type");
    if (types instanceof jakarta.json.JsonArray array && array.size() == 1 && array.get(0) instanceof JsonString s) {
      return s.getString();
    }
    return null;
  }

  private static jakarta.json.JsonObject toJakarta(JsonObject body) {
    try (JsonReader reader = Json.createReader(new StringReader(body.encode()))) {
      return reader.readObject();
    }
  }

  private static Document bundled(String resource) {
    try (InputStream in = JsonLd.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing bundled JSON-LD context " + resource);
      }
      return JsonDocument.of(in);
    } catch (IOException | JsonLdError e) {
      throw new IllegalStateException("cannot read the bundled JSON-LD context " + resource + ": " + e.getMessage(), e);
    }
  }
}
