package fr.socle.node;

import fr.socle.protocol.CertificateAuthenticator;
import fr.socle.protocol.PeerAuthenticator;
import fr.socle.trust.NodeTls;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;

/**
 * How a node's protocol traffic is secured: the DSP server's options, the options of its calls to
 * partners, and how it authenticates callers. {@link #federation} is the only production choice and
 * the configuration file cannot change it; conformance tests build a node with their own.
 */
public record ProtocolSecurity(HttpServerOptions serverOptions, HttpClientOptions clientOptions,
    PeerAuthenticator authenticator) {

  /** Mutual TLS 1.3 with the federation's certificates, identity from the client certificate. */
  public static ProtocolSecurity federation(NodeTls tls, String host, int port) {
    return new ProtocolSecurity(tls.serverOptions(host, port), tls.clientOptions(), new CertificateAuthenticator());
  }
}
