package fr.socle.protocol;

import fr.socle.trust.NodeTokenVerifier;
import fr.socle.trust.Reason;
import fr.socle.trust.Verification;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link PeerAuthenticator}: the caller is the participant named by a valid node token
 * (see {@link NodeTokenVerifier}) carried by a connection whose TLS client certificate is the token's.
 *
 * <p>Where the token travels depends on the endpoint. On DSP endpoints it is the {@code Authorization}
 * header, as the Dataspace Protocol's HTTPS binding asks. On the data plane, {@code Authorization}
 * already carries the transfer's access token, whose place the data address fixes for any consumer
 * (authType {@code bearer}); Socle's own node token goes in {@value #DATA_PLANE_HEADER} there, so that
 * the data address keeps its standard meaning. {@code Bearer } before the token is optional: DSP does
 * not fix the scheme and some connectors send the bare token.
 *
 * <p>A refusal is a 401 whose DSP error body has the {@link fr.socle.trust.Reason} code as
 * {@code code} and the verifier's diagnosis as {@code reason}, and an INFO log line with the same
 * code: the caller's operator and ours see the same cause.
 */
public final class TokenAuthenticator implements PeerAuthenticator {

  /** Where DSP calls carry the node token. */
  public static final String DSP_HEADER = "Authorization";
  /** Where data-plane calls carry the node token; {@code Authorization} holds the access token. */
  public static final String DATA_PLANE_HEADER = "Socle-Node-Token";

  private static final Logger LOG = LoggerFactory.getLogger(TokenAuthenticator.class);

  private final NodeTokenVerifier verifier;
  private final String header;

  public TokenAuthenticator(NodeTokenVerifier verifier, String header) {
    this.verifier = verifier;
    this.header = header;
  }

  @Override
  public String authenticate(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    Verification result = verifier.verify(token(request.getHeader(header)), clientCertificate(request));
    if (result instanceof Verification.Verified verified) {
      return verified.participant().id().value();
    }
    Verification.Rejected rejected = (Verification.Rejected) result;
    LOG.info("refused {} {} from {}: {} ({})", request.method(), request.path(), request.remoteAddress(),
        rejected.reason().code(), rejected.detail());
    // RFC 9110 §11.6.1: a 401 names the scheme it expects; RFC 6750 §3.1: with an error code only
    // when a token was sent.
    ctx.response().putHeader("WWW-Authenticate",
        rejected.reason() == Reason.TOKEN_MISSING ? "Bearer" : "Bearer error=\"invalid_token\"");
    throw new Refusal(Refusal.Kind.UNAUTHENTICATED, rejected.reason().code(), rejected.detail());
  }

  /** The header's token without an optional {@code Bearer } scheme; null when absent. */
  static String token(String value) {
    if (value == null) {
      return null;
    }
    String trimmed = value.trim();
    return trimmed.regionMatches(true, 0, "Bearer ", 0, 7) ? trimmed.substring(7).trim() : trimmed;
  }

  private static X509Certificate clientCertificate(HttpServerRequest request) {
    try {
      List<Certificate> chain = request.connection().peerCertificates();
      return chain != null && !chain.isEmpty() && chain.get(0) instanceof X509Certificate leaf ? leaf : null;
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }
}
