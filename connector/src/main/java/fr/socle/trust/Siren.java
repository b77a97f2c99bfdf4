package fr.socle.trust;

/**
 * A SIREN, the 9-digit number INSEE gives every French legal person, collectivités included.
 *
 * <p>Only the syntax is checked (9 ASCII digits, Luhn checksum as INSEE specifies): whether the number
 * is assigned is the federation operator's job when it issues a certificate. No normalisation happens
 * here (spaces, dots): a certificate value that needs cleaning is a malformed certificate.
 */
public record Siren(String value) {

    public Siren {
        check(value);
    }

    /** Parses {@code value}, throwing {@link Reason#INVALID_SIREN} with the exact defect. */
    public static Siren parse(String value) {
        return new Siren(value);
    }

    /** Whether {@code value} would parse. */
    public static boolean isValid(String value) {
        try {
            check(value);
            return true;
        } catch (TrustException e) {
            return false;
        }
    }

    private static void check(String value) {
        if (value == null) {
            throw new TrustException(Reason.INVALID_SIREN, "SIREN is missing");
        }
        if (value.length() != 9) {
            throw new TrustException(Reason.INVALID_SIREN,
                    "SIREN must be 9 digits, got " + value.length() + ": '" + value + "'");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            // Character.isDigit would let Arabic-Indic and other Unicode digits through.
            if (c < '0' || c > '9') {
                throw new TrustException(Reason.INVALID_SIREN,
                        "SIREN must be 9 digits, got '" + c + "' at position " + (i + 1) + ": '" + value + "'");
            }
        }
        if (!luhn(value)) {
            throw new TrustException(Reason.INVALID_SIREN, "SIREN " + value + " fails the Luhn checksum");
        }
    }

    private static boolean luhn(String digits) {
        int sum = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = digits.charAt(digits.length() - 1 - i) - '0';
            if (i % 2 == 1) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
        }
        return sum % 10 == 0;
    }

    @Override
    public String toString() {
        return value;
    }
}
