package fr.socle.trust;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.netty.handler.ssl.OpenSsl;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SSLOptions;
import java.nio.file.Path;
import java.security.cert.CRLException;
import java.security.cert.X509CRL;
import java.util.Set;

/**
 * TLS settings of node-to-node traffic: TLS 1.3 only, the node's own federation certificate on both
 * sides, partners verified against the federation trust anchors and CRL, and a client certificate
 * required by every server. There is deliberately no switch to relax any of it.
 */
public record NodeTls(Path certificate, Path key, Path trustAnchors, Path crl) {

  /** The files of a node directory and a federation directory laid out as {@link FederationLayout} says. */
  public static NodeTls of(Path nodeDir, Path federationDir) {
    FederationLayout federation = new FederationLayout(federationDir);
    return new NodeTls(nodeDir.resolve(FederationLayout.NODE_CERT), nodeDir.resolve(FederationLayout.NODE_KEY),
        federation.rootCaCert(), federation.crl());
  }

  private static final Set<String> PROTOCOLS = Set.of("TLSv1.3");

  public HttpServerOptions serverOptions(String host, int port) {
    HttpServerOptions options = new HttpServerOptions().setHost(host).setPort(port).setSsl(true)
        .setSslEngineOptions(engine())
        .setKeyCertOptions(keyCert()).setTrustOptions(trust()).setClientAuth(ClientAuth.REQUIRED)
        .setEnabledSecureTransportProtocols(PROTOCOLS).setSslHandshakeTimeout(10);
    if (crl != null) {
      options.addCrlPath(crl.toString());
    }
    return options;
  }

  public HttpClientOptions clientOptions() {
    HttpClientOptions options = new HttpClientOptions().setSsl(true).setSslEngineOptions(engine())
        .setKeyCertOptions(keyCert())
        .setTrustOptions(trust()).setVerifyHost(true).setEnabledSecureTransportProtocols(PROTOCOLS)
        .setSslHandshakeTimeout(10).setConnectTimeout(5_000);
    if (crl != null) {
      options.addCrlPath(crl.toString());
    }
    return options;
  }

  /**
   * BoringSSL when its native library loads on this platform, else the JDK's engine; same settings.
   * The first call loads the native library (hundreds of milliseconds): make it from {@code main},
   * never from an event loop.
   */
  public static SSLEngineOptions engine() {
    return OpenSsl.isAvailable() ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions();
  }

  /**
   * A copy of {@code options} (a server's or a client's) with {@code crl} in place of any CRL file, for
   * updating a running server or client. The TLS layer then enforces exactly the CRL that
   * {@link FederationTrust} accepted, never a file swapped in meanwhile or one it refused.
   */
  @SuppressWarnings("unchecked")
  public static <T extends SSLOptions> T withCrl(T options, X509CRL crl) {
    T updated = (T) options.copy();
    updated.getCrlPaths().clear();
    updated.getCrlValues().clear();
    try {
      updated.addCrlValue(Buffer.buffer(crl.getEncoded()));
    } catch (CRLException e) {
      throw new IllegalStateException("a CRL that was parsed cannot be re-encoded", e);
    }
    return updated;
  }

  private PemKeyCertOptions keyCert() {
    return new PemKeyCertOptions().setCertPath(certificate.toString()).setKeyPath(key.toString());
  }

  private PemTrustOptions trust() {
    return new PemTrustOptions().addCertPath(trustAnchors.toString());
  }
}
