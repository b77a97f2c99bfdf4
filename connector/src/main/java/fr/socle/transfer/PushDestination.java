package fr.socle.transfer;

import fr.socle.protocol.Dsp;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where an {@code HttpData-PUSH} transfer is delivered: the DSP 2025-1 DataAddress the consumer puts
 * in its TransferRequestMessage ({@code @type} DataAddress, {@code endpointType}
 * {@value Dsp#HTTP_ENDPOINT_TYPE}, {@code endpoint}, and {@code endpointProperties} with the bearer
 * token under {@code authorization}), the same shape as a pull's data address ({@link EdrTokens#dataAddress}).
 *
 * <p>The token is the consumer's secret for its receiver: the provider keeps it with the transfer
 * because it must send it, and never logs it or shows it to its operator.
 *
 * <p>An endpoint is never trusted on its own: the provider pushes only over the federation's mutual
 * TLS and only to a server whose certificate names the transfer's consumer ({@link Pusher}), so a
 * consumer cannot make a provider send data, or requests, to any other host.
 */
public record PushDestination(String endpoint, String token) {

  /** Longer than any sensible URL or token; bounds what a partner makes a provider store. */
  static final int MAX_ENDPOINT_CHARS = 2000;
  static final int MAX_TOKEN_CHARS = 8192;

  /**
   * Reads a DataAddress; an {@link IllegalArgumentException} says which part is wrong, what was
   * expected and what was found.
   */
  public static PushDestination parse(JsonObject address) {
    if (address == null) {
      throw new IllegalArgumentException("an HttpData-PUSH transfer needs a dataAddress (DataAddress with an"
          + " endpoint and an authorization endpoint property)");
    }
    if (!"DataAddress".equals(address.getValue("@type"))) {
      throw new IllegalArgumentException("dataAddress: expected @type 'DataAddress', got " + address.getValue("@type"));
    }
    if (!Dsp.HTTP_ENDPOINT_TYPE.equals(address.getValue("endpointType"))) {
      throw new IllegalArgumentException("dataAddress: expected endpointType '" + Dsp.HTTP_ENDPOINT_TYPE + "', got "
          + address.getValue("endpointType"));
    }
    if (!(address.getValue("endpoint") instanceof String endpoint) || endpoint.length() > MAX_ENDPOINT_CHARS) {
      throw new IllegalArgumentException("dataAddress: expected an endpoint URL of at most " + MAX_ENDPOINT_CHARS
          + " characters, got " + describe(address.getValue("endpoint")));
    }
    try {
      URI uri = new URI(endpoint);
      if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null
          || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
        throw new IllegalArgumentException("dataAddress: expected an absolute https URL without user info or"
            + " fragment as endpoint, got '" + endpoint + "'");
      }
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("dataAddress: the endpoint is not a URL: " + e.getMessage());
    }
    String authType = DataFetcher.property(address, "authType");
    if (authType != null && !"bearer".equalsIgnoreCase(authType)) {
      throw new IllegalArgumentException("dataAddress: expected authType 'bearer', got '" + authType + "'");
    }
    String token = DataFetcher.property(address, "authorization");
    if (token == null || token.isBlank() || token.length() > MAX_TOKEN_CHARS) {
      throw new IllegalArgumentException("dataAddress: expected an 'authorization' endpoint property with a"
          + " token of at most " + MAX_TOKEN_CHARS + " characters, got " + (token == null ? "none"
          : token.length() + " characters"));
    }
    return new PushDestination(endpoint, token);
  }

  /** The DataAddress of this destination, as sent in a TransferRequestMessage and kept with the transfer. */
  public JsonObject toDataAddress() {
    return EdrTokens.dataAddress(endpoint, token);
  }

  @Override
  public String toString() {
    // Never the token: this may end up in a log line.
    return "PushDestination[" + endpoint + "]";
  }

  private static String describe(Object value) {
    return value instanceof String s ? s.length() + " characters" : String.valueOf(value);
  }
}
