package fr.socle.trust;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The certificate profile is usable as issued: two nodes complete a TLS 1.3 handshake with client
 * authentication and hostname verification, using only the JDK's own trust manager.
 */
class TlsHandshakeTest {

    @TempDir
    Path tmp;

    private static SSLContext context(TrustMaterial material) throws Exception {
        char[] password = "unused".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("node", material.nodeKey(), password, material.nodeChain().toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(keys, password);
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        anchors.setCertificateEntry("root", material.rootCa());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(anchors);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    @Test
    @Timeout(20)
    void nodesCompleteMutualTls13() throws Exception {
        FederationPki pki = new FederationPki();
        Path fed = tmp.resolve("fed");
        pki.initFederation(fed, "Fed", Duration.ofDays(30));
        TrustMaterial provider = TrustMaterial.load(pki.issueNode(fed, NodeRequest.of("219900016", "Provider").withValidity(Duration.ofDays(1))).dir(), fed);
        TrustMaterial consumer = TrustMaterial.load(pki.issueNode(fed, NodeRequest.of("239900038", "Consumer").withValidity(Duration.ofDays(1))).dir(), fed);

        try (SSLServerSocket server = (SSLServerSocket) context(provider).getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setNeedClientAuth(true);
            server.setEnabledProtocols(new String[] {"TLSv1.3"});
            CompletableFuture<X509Certificate> clientSeenByServer = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket socket = (SSLSocket) server.accept()) {
                    socket.startHandshake();
                    X509Certificate peer = (X509Certificate) socket.getSession().getPeerCertificates()[0];
                    try (OutputStream out = socket.getOutputStream()) {
                        out.write(1);
                    }
                    return peer;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            try (SSLSocket client = (SSLSocket) context(consumer).getSocketFactory().createSocket("localhost", server.getLocalPort())) {
                SSLParameters parameters = client.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS"); // checks SAN DNS:localhost
                client.setSSLParameters(parameters);
                client.startHandshake();
                try (InputStream in = client.getInputStream()) {
                    assertThat(in.read()).isEqualTo(1);
                }
                assertThat(client.getSession().getProtocol()).isEqualTo("TLSv1.3");
                X509Certificate serverCert = (X509Certificate) client.getSession().getPeerCertificates()[0];
                assertThat(ParticipantId.fromCertificate(serverCert).value()).isEqualTo("NTRFR-219900016");
            }
            X509Certificate clientCert = clientSeenByServer.get(10, TimeUnit.SECONDS);
            assertThat(ParticipantId.fromCertificate(clientCert).value()).isEqualTo("NTRFR-239900038");
            assertThat(provider.verifier(Clock.systemUTC()).verifyOrThrow(List.of(clientCert)).displayName())
                    .isEqualTo("Consumer");
        }
    }
}
