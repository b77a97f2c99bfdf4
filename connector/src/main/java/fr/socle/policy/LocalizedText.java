package fr.socle.policy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A text for people in English and French, such as the reason of a refusal. English is what the
 * protocol carries as its plain-text reason (other connectors read it); the French travels beside it,
 * between Socle nodes, as JSON-LD language-tagged values under {@link #MEMBER}, which any DSP context
 * leaves untouched and other connectors ignore. The IRI is provisional, like the usage declaration's.
 *
 * @param en the English text, never null
 * @param fr the French text, or null when only English is known (e.g. a partner's plain reason)
 */
public record LocalizedText(String en, String fr) {

  /** Provisional IRI of a message's reason in several languages. */
  public static final String MEMBER = "https://w3id.org/socle/v1/localizedReason";

  /** A partner's French text longer than this is ignored, as unreasonable for a reason. */
  private static final int MAX_LENGTH = 4000;

  public static LocalizedText english(String en) {
    return new LocalizedText(en, null);
  }

  /** The text in {@code language} ({@code fr} or else English), falling back to English. */
  public String in(String language) {
    return "fr".equals(language) && fr != null ? fr : en;
  }

  /** Both texts with a prefix in each language, e.g. who refused. */
  public LocalizedText prefixed(String enPrefix, String frPrefix) {
    return new LocalizedText(enPrefix + en, fr == null ? null : frPrefix + fr);
  }

  /** Puts the language-tagged values into {@code message} when there is a French text, and returns it. */
  public JsonObject writeTo(JsonObject message) {
    if (fr == null) {
      return message;
    }
    return message.put(MEMBER, new JsonArray()
        .add(new JsonObject().put("@value", en).put("@language", "en"))
        .add(new JsonObject().put("@value", fr).put("@language", "fr")));
  }

  /**
   * The French value a partner's message carries under {@link #MEMBER}, or null when there is none
   * or it is not usable text: a reason is informative only, so a malformed one is ignored, not refused.
   */
  public static String frenchIn(JsonObject message) {
    if (message == null || !(message.getValue(MEMBER) instanceof JsonArray values)) {
      return null;
    }
    for (Object value : values) {
      if (value instanceof JsonObject o && "fr".equals(o.getValue("@language"))
          && o.getValue("@value") instanceof String text && !text.isBlank() && text.length() <= MAX_LENGTH) {
        return text;
      }
    }
    return null;
  }
}
