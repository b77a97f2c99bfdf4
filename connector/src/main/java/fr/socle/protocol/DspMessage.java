package fr.socle.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * An incoming DSP message after validation: a JSON object in compacted JSON-LD form with the DSP
 * 2025-1 context and the expected {@code @type}. Accessors fail with a 400 naming the
 * missing or mistyped property, so that bad input never reaches the state machines.
 */
public record DspMessage(String type, JsonObject body) {

  /**
   * Validates {@code body} as a message of {@code expectedType}: JSON-LD with known contexts only,
   * of that DSP type, brought to the DSP context's compacted form (see {@link JsonLd}).
   */
  public static DspMessage of(JsonObject body, String expectedType) {
    if (body == null) {
      throw Refusal.invalid("expected a JSON object of type " + expectedType + ", got an empty body");
    }
    if (body.getValue("@context") == null) {
      throw Refusal.invalid("expected @context to include " + Dsp.CONTEXT + ", got none");
    }
    return new DspMessage(expectedType, JsonLd.compacted(body, expectedType));
  }

  public String requireString(String name) {
    Object value = body.getValue(name);
    if (!(value instanceof String s) || s.isBlank()) {
      throw Refusal.invalid(type + " requires a non-empty string '" + name + "', got " + value);
    }
    return s;
  }

  public String optionalString(String name) {
    Object value = body.getValue(name);
    if (value != null && !(value instanceof String)) {
      throw Refusal.invalid(type + ": '" + name + "' must be a string, got " + value);
    }
    return (String) value;
  }

  public JsonObject requireObject(String name) {
    Object value = body.getValue(name);
    if (!(value instanceof JsonObject o)) {
      throw Refusal.invalid(type + " requires an object '" + name + "', got " + value);
    }
    return o;
  }

  public JsonObject optionalObject(String name) {
    Object value = body.getValue(name);
    if (value != null && !(value instanceof JsonObject)) {
      throw Refusal.invalid(type + ": '" + name + "' must be an object, got " + value);
    }
    return (JsonObject) value;
  }
}
