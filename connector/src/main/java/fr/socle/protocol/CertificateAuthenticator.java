package fr.socle.protocol;

import fr.socle.trust.ParticipantId;
import fr.socle.trust.TrustException;
import io.vertx.ext.web.RoutingContext;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The participant behind a request, taken from the TLS client certificate the federation issued
 * (the TLS layer has already verified its chain and revocation).
 */
public final class CertificateAuthenticator implements PeerAuthenticator {

  @Override
  public String authenticate(RoutingContext ctx) {
    try {
      List<Certificate> chain = ctx.request().connection().peerCertificates();
      if (chain == null || chain.isEmpty() || !(chain.get(0) instanceof X509Certificate leaf)) {
        throw new DspException(401, "unauthenticated", "a federation client certificate is required");
      }
      return ParticipantId.fromCertificate(leaf).toString();
    } catch (SSLPeerUnverifiedException e) {
      throw new DspException(401, "unauthenticated", "a federation client certificate is required");
    } catch (TrustException e) {
      throw new DspException(401, "unauthenticated", "the client certificate names no participant: "
          + e.getMessage());
    }
  }
}
