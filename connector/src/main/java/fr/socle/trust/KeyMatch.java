package fr.socle.trust;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;

/**
 * Tells whether a private key is the partner of a public key by signing a random challenge and
 * verifying it, which works for any key type without comparing curve points by hand.
 */
final class KeyMatch {

    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyMatch() {
    }

    static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
        String algorithm = switch (publicKey.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null || !publicKey.getAlgorithm().equals(privateKey.getAlgorithm())) {
            return false;
        }
        byte[] challenge = new byte[32];
        RANDOM.nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // e.g. keys on different curves: not a pair
            return false;
        }
    }
}
