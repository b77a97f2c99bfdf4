package fr.socle.store;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Secrets a store keeps in its rows (bearer tokens a partner gave this node) encrypted at rest, so that
 * a copy of the database (a backup, a dump, a PostgreSQL administrator) does not hand them out.
 * AES-256-GCM, a fresh random 96-bit nonce per value, and as associated data the place the value
 * belongs to (its table, row id and column): a sealed value copied into another row or column does
 * not open. A value that does not open (altered, moved, or sealed under another key) is refused with
 * {@link Unreadable}, never used.
 *
 * <p>The key is derived (HKDF-SHA256, RFC 5869) from the node's private key rather than drawn once
 * into a key file of the data directory: the embedded database lives in that directory, so such a
 * file would travel with every copy of it, while the node key lives with the node's certificate,
 * apart from the data, and is already what an operator protects most. The price is that a node that
 * changes its key can no longer open what it sealed before: those are short-lived secrets of
 * transfers in progress (an access token, which the provider's new key would refuse anyway, and a
 * push receiver's token), whose use then fails with that reason; the transfer is requested again.
 *
 * <p>Immutable and thread-safe.
 */
public final class SealedValues {

  /** What a sealed value starts with; the version names the algorithm and the derivation. */
  static final String PREFIX = "sealed:v1:";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  /** Fixed and public, as RFC 5869 allows: it separates this use of the node key from any other. */
  private static final byte[] SALT = "socle/sealed-values".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] INFO = "socle sealed values v1 AES-256-GCM".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A sealed value that does not open with this node's key: altered, moved, or sealed under another key. */
  public static final class Unreadable extends RuntimeException {
    Unreadable(String message) {
      super(message, null, false, false);
    }
  }

  private final SecretKeySpec key;

  private SealedValues(byte[] key) {
    this.key = new SecretKeySpec(key, "AES");
  }

  /**
   * The values sealed under a key derived from {@code nodeKey}. An EC key contributes its private
   * scalar, so that the same key re-encoded (PKCS#8 or SEC1 PEM) derives the same key; another key
   * its encoding.
   */
  public static SealedValues derivedFrom(PrivateKey nodeKey) {
    byte[] material;
    if (nodeKey instanceof ECPrivateKey ec) {
      int size = (ec.getParams().getCurve().getField().getFieldSize() + 7) / 8;
      material = unsigned(ec.getS(), size);
    } else {
      material = nodeKey.getEncoded();
      if (material == null) {
        throw new IllegalArgumentException("the node key (" + nodeKey.getAlgorithm() + ") cannot be read, so no key"
            + " can be derived from it to encrypt the secrets kept in the database");
      }
    }
    try {
      return new SealedValues(hkdf(SALT, material, INFO, 32));
    } finally {
      Arrays.fill(material, (byte) 0);
    }
  }

  /** Values sealed under a key drawn now and kept nowhere: for stores that do not outlive this process. */
  public static SealedValues ephemeral() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return new SealedValues(key);
  }

  /** Whether {@code stored} is a sealed value, rather than one kept in clear. */
  public static boolean isSealed(String stored) {
    return stored != null && stored.startsWith(PREFIX);
  }

  /** {@code value} sealed for {@code place} (e.g. {@code transfer/<id>/data_address}). */
  public String seal(String place, String value) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(place.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(value.getBytes(StandardCharsets.UTF_8));
      return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(ByteBuffer
          .allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is required by the Java platform: " + e.getMessage(), e);
    }
  }

  /** The value {@code stored} holds for {@code place}; {@link Unreadable} when it does not open. */
  public String open(String place, String stored) {
    if (!isSealed(stored)) {
      throw new Unreadable(place + " is not a sealed value");
    }
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(stored.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new Unreadable(place + " is not a sealed value: " + e.getMessage());
    }
    if (bytes.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new Unreadable(place + " is too short to be a sealed value");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
      cipher.updateAAD(place.getBytes(StandardCharsets.UTF_8));
      return new String(cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new Unreadable(place + " does not decrypt with this node's key: it was altered, copied from elsewhere,"
          + " or sealed under another node key");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is required by the Java platform: " + e.getMessage(), e);
    }
  }

  /** HKDF-SHA256 (RFC 5869): extract, then expand to {@code length} bytes. */
  static byte[] hkdf(byte[] salt, byte[] inputKey, byte[] info, int length) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(salt, "HmacSHA256"));
      byte[] prk = mac.doFinal(inputKey);
      mac.init(new SecretKeySpec(prk, "HmacSHA256"));
      byte[] out = new byte[length];
      byte[] block = new byte[0];
      for (int done = 0, i = 1; done < length; i++) {
        mac.update(block);
        mac.update(info);
        mac.update((byte) i);
        block = mac.doFinal();
        int n = Math.min(block.length, length - done);
        System.arraycopy(block, 0, out, done, n);
        done += n;
      }
      Arrays.fill(prk, (byte) 0);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is required by the Java platform: " + e.getMessage(), e);
    }
  }

  /** {@code n} as exactly {@code size} big-endian bytes, without the sign byte. */
  private static byte[] unsigned(BigInteger n, int size) {
    byte[] raw = n.toByteArray();
    byte[] out = new byte[size];
    int copy = Math.min(raw.length, size);
    System.arraycopy(raw, raw.length - copy, out, size - copy, copy);
    return out;
  }
}
