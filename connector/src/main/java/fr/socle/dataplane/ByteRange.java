package fr.socle.dataplane;

/**
 * One byte range of an RFC 9110 {@code Range: bytes=...} header, resolved against a known size.
 * Several ranges in one header are not served (the whole representation is sent instead, which the
 * RFC allows); an unsatisfiable range is reported so the caller can answer 416.
 */
record ByteRange(long start, long endInclusive) {

  /** Returned when the header asks for bytes the representation does not have. */
  static final ByteRange UNSATISFIABLE = new ByteRange(-1, -1);

  long length() {
    return endInclusive - start + 1;
  }

  /** The range asked for, {@code null} for the whole representation, or {@link #UNSATISFIABLE}. */
  static ByteRange parse(String header, long size) {
    if (header == null || !header.startsWith("bytes=") || header.indexOf(',') >= 0) {
      return null;
    }
    String spec = header.substring(6).trim();
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return null;
    }
    try {
      String first = spec.substring(0, dash).trim();
      String last = spec.substring(dash + 1).trim();
      if (first.isEmpty()) {
        long suffix = Long.parseLong(last);
        if (suffix <= 0 || size == 0) {
          return UNSATISFIABLE;
        }
        return new ByteRange(Math.max(0, size - suffix), size - 1);
      }
      long start = Long.parseLong(first);
      long end = last.isEmpty() ? size - 1 : Math.min(Long.parseLong(last), size - 1);
      if (start < 0 || start >= size || end < start) {
        return UNSATISFIABLE;
      }
      return new ByteRange(start, end);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
