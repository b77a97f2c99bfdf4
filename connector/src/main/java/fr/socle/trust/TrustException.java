package fr.socle.trust;

/**
 * The one failure type of the trust package: a {@link Reason} for machines and a message for people
 * that says what was expected and what was found.
 *
 * <p>Stackless, because these are expected refusals (a bad SIREN, an expired certificate) that may cross
 * Future boundaries many times per second under a hostile peer; the message carries the diagnosis and
 * the cause, when there is one, keeps its own trace.
 */
public final class TrustException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final Reason reason;

    public TrustException(Reason reason, String message) {
        this(reason, message, null);
    }

    public TrustException(Reason reason, String message, Throwable cause) {
        super(message, cause, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    @Override
    public String toString() {
        return reason.code() + ": " + getMessage();
    }
}
