package fr.socle.management;

import java.util.Locale;

/**
 * The language of the management API's answers, chosen from the caller's {@code Accept-Language}
 * (RFC 9110 §12.5.4): the supported language with the highest q-value, the first listed winning a
 * tie; {@code fr-FR} and {@code fr-CA} count as {@code fr}. Without the header, with {@code *} alone or
 * with only unsupported languages, the answer is in English, as it was before the header was read:
 * scripts rarely send it, browsers and people's tools do.
 */
final class Languages {

  static final String DEFAULT = "en";
  private static final int MAX_RANGES = 32;

  private Languages() {
  }

  /** {@code fr} or {@code en}. A malformed header is ignored rather than refused: it only picks a wording. */
  static String preferred(String header) {
    if (header == null || header.isBlank()) {
      return DEFAULT;
    }
    String best = null;
    double bestQ = 0;
    String[] ranges = header.split(",", MAX_RANGES + 1);
    for (int i = 0; i < Math.min(ranges.length, MAX_RANGES); i++) {
      String[] parts = ranges[i].trim().split(";", -1);
      String tag = parts[0].trim().toLowerCase(Locale.ROOT);
      String primary = tag.contains("-") ? tag.substring(0, tag.indexOf('-')) : tag;
      double q = 1;
      for (int j = 1; j < parts.length; j++) {
        String parameter = parts[j].trim();
        if (parameter.startsWith("q=") || parameter.startsWith("Q=")) {
          q = quality(parameter.substring(2));
        }
      }
      if ((primary.equals("fr") || primary.equals("en")) && q > bestQ) {
        best = primary;
        bestQ = q;
      }
    }
    return best == null ? DEFAULT : best;
  }

  /** A q-value, 0 to 1; anything unreadable counts as 0 (not acceptable). */
  private static double quality(String text) {
    try {
      double q = Double.parseDouble(text.trim());
      return q >= 0 && q <= 1 ? q : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
