package fr.socle.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

/**
 * Compact JWSs built by hand, header and payload exactly as given, so that a test can combine faults
 * (a wrong {@code typ} with {@code alg: none}, a foreign chain with a bad signature) that no signer of
 * the code base would produce.
 */
public final class Jws {

  private Jws() {
  }

  /**
   * {@code header.payload.signature}, the signature ES256 over the first two parts with {@code key}
   * whatever the header's {@code alg} says; empty when {@code key} is null.
   */
  public static String compact(JsonObject header, JsonObject payload, PrivateKey key) {
    String input = b64(header.encode()) + "." + b64(payload.encode());
    if (key == null) {
      return input + ".";
    }
    try {
      return input + "." + new ECDSASigner(key, Curve.P_256).sign(new JWSHeader(JWSAlgorithm.ES256),
          input.getBytes(StandardCharsets.US_ASCII));
    } catch (JOSEException e) {
      throw new AssertionError("test JWS not signed", e);
    }
  }

  /** A JWS header: {@code alg}, {@code typ} and the {@code x5c} of {@code chain}, leaf first. */
  public static JsonObject header(String alg, String typ, List<X509Certificate> chain) {
    JsonArray x5c = new JsonArray();
    for (X509Certificate certificate : chain) {
      try {
        x5c.add(Base64.getEncoder().encodeToString(certificate.getEncoded()));
      } catch (CertificateEncodingException e) {
        throw new AssertionError(e);
      }
    }
    return new JsonObject().put("alg", alg).put("typ", typ).put("x5c", x5c);
  }

  private static String b64(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
