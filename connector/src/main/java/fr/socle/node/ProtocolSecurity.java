package fr.socle.node;

import fr.socle.protocol.PeerAuthenticator;
import fr.socle.protocol.ServerIdentity;
import fr.socle.protocol.TokenAuthenticator;
import fr.socle.trust.FederationTrust;
import fr.socle.trust.NodeTls;
import fr.socle.trust.NodeTokenIssuer;
import fr.socle.trust.NodeTokenVerifier;
import fr.socle.trust.ReplayCache;
import fr.socle.trust.TrustMaterial;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import java.time.Clock;
import java.util.function.Function;

/**
 * How a node's protocol traffic is secured: the DSP server's options, the options of its calls to
 * partners, how it authenticates callers on DSP endpoints and on the data plane, and the token it
 * puts on its own calls. {@link #federation} is the only production choice and the configuration
 * file cannot change it; conformance tests build a node with their own.
 *
 * @param tokenFor the node token for a callee's participant id; null means send none
 * @param serverIdentity how a call checks that the server it reached is the callee
 */
public record ProtocolSecurity(HttpServerOptions serverOptions, HttpClientOptions clientOptions,
    PeerAuthenticator authenticator, PeerAuthenticator dataPlaneAuthenticator, Function<String, String> tokenFor,
    ServerIdentity serverIdentity) {

  /**
   * One authenticator for every endpoint, no token on outgoing calls and any server accepted
   * (conformance runs).
   */
  public ProtocolSecurity(HttpServerOptions serverOptions, HttpClientOptions clientOptions,
      PeerAuthenticator authenticator) {
    this(serverOptions, clientOptions, authenticator, authenticator, callee -> null, ServerIdentity.ANY);
  }

  /**
   * Mutual TLS 1.3 with the federation's certificates, plus a node token on every call both ways:
   * signed with this node's key, checked against {@code federation}'s CRL in force, single-use per
   * node (one replay cache for DSP and data-plane endpoints, since a token could be tried on both).
   */
  public static ProtocolSecurity federation(NodeTls tls, String host, int port, TrustMaterial trust,
      FederationTrust federation, Clock clock) {
    NodeTokenVerifier verifier = new NodeTokenVerifier(trust.participant().id(), federation,
        new ReplayCache(ReplayCache.DEFAULT_CAPACITY, ReplayCache.DEFAULT_PER_ISSUER, clock), clock);
    NodeTokenIssuer issuer = new NodeTokenIssuer(trust, clock);
    return new ProtocolSecurity(tls.serverOptions(host, port), tls.clientOptions(),
        new TokenAuthenticator(verifier, TokenAuthenticator.DSP_HEADER),
        new TokenAuthenticator(verifier, TokenAuthenticator.DATA_PLANE_HEADER), issuer::issue,
        ServerIdentity.FEDERATION_CERTIFICATE);
  }
}
