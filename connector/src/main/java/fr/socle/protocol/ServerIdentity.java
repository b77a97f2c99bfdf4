package fr.socle.protocol;

import fr.socle.trust.ParticipantId;
import fr.socle.trust.TrustException;
import io.vertx.core.http.HttpConnection;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Checks, before anything is sent, that the server a call reached is the participant it is meant for.
 *
 * <p>TLS alone only proves that the server holds some federation certificate. Without this check a
 * member that got another's address into a partner's configuration (a typo, a stale DNS record, a
 * hostile redirect) would receive that partner's messages and could answer them in its name: a
 * catalog, an offer, a transfer start. The node token's audience makes the call useless to it; this
 * makes the answer useless too.
 */
@FunctionalInterface
public interface ServerIdentity {

  /** Accepts any server: conformance runs, whose partners have no federation certificate. */
  ServerIdentity ANY = (callee, connection) -> {
  };

  /**
   * The server's TLS certificate (already verified against the federation's trust anchors and CRL
   * by the handshake) must name {@code callee} as its organizationIdentifier.
   */
  ServerIdentity FEDERATION_CERTIFICATE = (callee, connection) -> {
    List<Certificate> chain;
    try {
      chain = connection.peerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      chain = List.of();
    }
    if (chain == null || chain.isEmpty() || !(chain.get(0) instanceof X509Certificate leaf)) {
      throw new DspClient.WrongServer("the server at " + connection.remoteAddress()
          + " presented no certificate, so it cannot be " + callee);
    }
    String presented;
    try {
      presented = ParticipantId.fromCertificate(leaf).value();
    } catch (TrustException e) {
      throw new DspClient.WrongServer("the server at " + connection.remoteAddress() + " cannot be " + callee
          + ": " + e.getMessage());
    }
    if (!presented.equals(callee)) {
      throw new DspClient.WrongServer("the server at " + connection.remoteAddress() + " is " + presented
          + ", not " + callee + ": check the partner's address");
    }
  };

  /**
   * Throws {@link DspClient.WrongServer} when {@code connection} does not lead to {@code callee}; the
   * call is then abandoned before its request or token leaves the node.
   */
  void check(String callee, HttpConnection connection);
}
