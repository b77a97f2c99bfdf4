package fr.socle.dataplane;

import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The SHA-256 member of a {@code Repr-Digest} header (RFC 9530), as a sender announces it. */
public final class ReprDigest {

  private static final Pattern SHA_256 = Pattern.compile("(?:^|,)\\s*sha-256\\s*=\\s*:([A-Za-z0-9+/=]*):");

  private ReprDigest() {
  }

  /**
   * The 32 bytes of {@code header}'s {@code sha-256} member; null when the header is absent or has no
   * such member. An {@link IllegalArgumentException} when the member is not 32 bytes in Base64.
   */
  public static byte[] sha256(String header) {
    Matcher m = header == null ? null : SHA_256.matcher(header);
    if (m == null || !m.find()) {
      return null;
    }
    byte[] digest;
    try {
      digest = Base64.getDecoder().decode(m.group(1));
    } catch (IllegalArgumentException e) {
      digest = new byte[0];
    }
    if (digest.length != 32) {
      throw new IllegalArgumentException("expected Repr-Digest sha-256=:<32 bytes in base64>:, got '" + header + "'");
    }
    return digest;
  }
}
