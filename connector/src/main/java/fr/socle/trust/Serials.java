package fr.socle.trust;

import java.math.BigInteger;
import java.util.Locale;

/**
 * The text form of certificate serial numbers: lowercase hex without separators, the form
 * {@code socle certs inspect} prints and {@code socle certs revoke --serial} takes.
 */
public final class Serials {

    private Serials() {
    }

    public static String format(BigInteger serial) {
        return serial.toString(16);
    }

    /** Accepts hex with an optional {@code 0x} prefix and colon separators, as other tools print it. */
    public static BigInteger parse(String text) {
        String hex = text == null ? "" : text.strip().toLowerCase(Locale.ROOT).replace(":", "");
        if (hex.startsWith("0x")) {
            hex = hex.substring(2);
        }
        if (hex.isEmpty() || hex.length() > 40 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new TrustException(Reason.INVALID_ARGUMENT,
                    "serial must be 1-40 hexadecimal digits (RFC 5280 allows 20 octets), got '" + text + "'");
        }
        BigInteger serial = new BigInteger(hex, 16);
        if (serial.signum() == 0) {
            throw new TrustException(Reason.INVALID_ARGUMENT, "serial must be positive, got '" + text + "'");
        }
        return serial;
    }
}
