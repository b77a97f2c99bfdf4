package fr.socle.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Names fixed by the Dataspace Protocol 2025-1. */
public final class Dsp {

  public static final String CONTEXT = "https://w3id.org/dspace/2025/1/context.jsonld";
  public static final String VERSION = "2025-1";
  public static final String HTTP_DATA_PULL = "HttpData-PULL";
  public static final String HTTP_DATA_PUSH = "HttpData-PUSH";
  public static final String HTTP_ENDPOINT_TYPE = "https://w3id.org/idsa/v4.1/HTTP";

  private Dsp() {
  }

  /** A new message of {@code type} with the DSP context. */
  public static JsonObject message(String type) {
    return new JsonObject().put("@context", new JsonArray().add(CONTEXT)).put("@type", type);
  }
}
