package fr.socle.audit;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoUnit;

/**
 * The one textual form of time in the audit log: RFC 3339 in UTC with exactly three fractional digits,
 * e.g. {@code 2025-03-01T09:30:00.000Z}. Hashes and signatures cover this text, so a single spelling
 * per instant keeps parse-then-format a no-op and leaves nothing for a re-encoder to change.
 */
final class AuditTime {

  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withResolverStyle(ResolverStyle.STRICT);

  private AuditTime() {}

  /** Drops precision the text form cannot hold, so a value equals its own round trip. */
  static Instant truncate(Instant time) {
    return time.truncatedTo(ChronoUnit.MILLIS);
  }

  static String format(Instant time) {
    return FORMAT.format(LocalDateTime.ofInstant(time, ZoneOffset.UTC));
  }

  /**
   * @throws IllegalArgumentException unless {@code text} is exactly in the form {@link #format} writes
   */
  static Instant parse(String text) {
    try {
      return LocalDateTime.parse(text, FORMAT).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "time '" + text + "' is not RFC 3339 UTC with milliseconds (like 2025-03-01T09:30:00.000Z)");
    }
  }
}
