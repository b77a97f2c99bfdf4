package fr.socle.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/** JDK HTTPS clients holding a given client certificate, to probe a node's DSP port from tests. */
public final class TlsClients {

  private TlsClients() {
  }

  /** A client presenting {@code chain}/{@code key} (or no certificate when null) and trusting {@code root}. */
  public static HttpClient client(Path chain, Path key, Path root, String... protocols)
      throws IOException, GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    KeyManagerFactory kmf = null;
    if (chain != null) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("node", privateKey(key), new char[0], certificates(chain));
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, new char[0]);
    }
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("root", certificates(root)[0]);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    SSLParameters parameters = new SSLParameters();
    parameters.setProtocols(protocols.length == 0 ? new String[] {"TLSv1.3"} : protocols);
    // The JDK counts the TLS handshake in the connect timeout; a node's first handshakes, cold and on a
    // shared machine, can take several seconds.
    return HttpClient.newBuilder().sslContext(context).sslParameters(parameters)
        .connectTimeout(Duration.ofSeconds(20)).build();
  }

  /** A client holding the development federation's certificate of node {@code slug}. */
  public static HttpClient member(String slug) throws IOException, GeneralSecurityException {
    return member(Paths.certs(), slug);
  }

  /** A client holding the certificate of node {@code slug} of the federation in {@code federationDir}. */
  public static HttpClient member(Path federationDir, String slug) throws IOException, GeneralSecurityException {
    Path node = federationDir.resolve("nodes").resolve(slug);
    return client(node.resolve("node.crt"), node.resolve("node.key"), federationDir.resolve("root-ca.crt"));
  }

  static Certificate[] certificates(Path pem) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      return CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(new Certificate[0]);
    }
  }

  static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
    String text = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(text)));
  }
}
