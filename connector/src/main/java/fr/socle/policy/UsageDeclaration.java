package fr.socle.policy;

import io.vertx.core.json.JsonObject;

/**
 * What a consumer declares when it asks for a contract: the purpose of the use and its legal basis
 * (RGPD art. 6). Unlike every other context value, these cannot be observed by the provider; they are
 * the consumer's commitment, recorded in the agreement so that it answers for them later, and the
 * provider's transfer and access decisions test the same declaration the agreement was granted on.
 *
 * <p>On the wire and in stored documents the declaration is two JSON-LD properties named by absolute
 * IRIs, which any DSP context leaves untouched. The {@code https://w3id.org/socle/v1/} namespace is
 * <b>provisional</b>: it is not registered with w3id.org yet, and changes before a first release if the
 * registration ends up elsewhere.
 */
public record UsageDeclaration(String purpose, String legalBasis) {

  /** Provisional IRI of the declared purpose. */
  public static final String PURPOSE = "https://w3id.org/socle/v1/purpose";
  /** Provisional IRI of the declared legal basis. */
  public static final String LEGAL_BASIS = "https://w3id.org/socle/v1/legalBasis";
  /** Nothing declared. */
  public static final UsageDeclaration NONE = new UsageDeclaration(null, null);

  private static final int MAX_LENGTH = 500;

  /**
   * A declaration from the given values (either may be null).
   *
   * @throws IllegalArgumentException naming the value that is blank, too long or not text
   */
  public static UsageDeclaration of(Object purpose, Object legalBasis) {
    return new UsageDeclaration(check("purpose", purpose), check("legalBasis", legalBasis));
  }

  /**
   * Reads the declaration a document carries under {@link #PURPOSE} and {@link #LEGAL_BASIS}.
   *
   * @throws IllegalArgumentException when a property is present but not usable text
   */
  public static UsageDeclaration readFrom(JsonObject carrier) {
    if (carrier == null) {
      return NONE;
    }
    return new UsageDeclaration(check(PURPOSE, carrier.getValue(PURPOSE)),
        check(LEGAL_BASIS, carrier.getValue(LEGAL_BASIS)));
  }

  /** Puts this declaration's values into {@code carrier} and returns it. */
  public JsonObject writeTo(JsonObject carrier) {
    if (purpose != null) {
      carrier.put(PURPOSE, purpose);
    }
    if (legalBasis != null) {
      carrier.put(LEGAL_BASIS, legalBasis);
    }
    return carrier;
  }

  /** A copy of {@code document} without the declaration's properties. */
  public static JsonObject strip(JsonObject document) {
    JsonObject copy = document.copy();
    copy.remove(PURPOSE);
    copy.remove(LEGAL_BASIS);
    return copy;
  }

  public boolean isEmpty() {
    return purpose == null && legalBasis == null;
  }

  private static String check(String name, Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s) || s.isBlank()) {
      throw new IllegalArgumentException("'" + name + "' must be a non-empty string, got " + value);
    }
    String trimmed = s.strip();
    if (trimmed.length() > MAX_LENGTH || trimmed.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("'" + name + "' must be at most " + MAX_LENGTH
          + " characters without control characters, got " + trimmed.length() + " characters");
    }
    return trimmed;
  }
}
