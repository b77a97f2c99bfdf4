package fr.socle.trust;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The committed development federation is consistent: every node in {@code federation.json} loads
 * as trust material and its certificate carries the listed participant id. When this fails because
 * the material has expired, run {@code launchers/make-certs-dev.sh}.
 */
class CertsDevTest {

    private static Path certsDev() {
        String root = System.getProperty("socle.root");
        Path base = root == null || root.isBlank() ? Path.of("..") : Path.of(root);
        return base.resolve("certs-dev");
    }

    @Test
    void everyListedNodeLoads() throws Exception {
        Path dir = certsDev();
        JsonObject federation = new JsonObject(Files.readString(dir.resolve("federation.json")));
        JsonArray nodes = federation.getJsonArray("nodes");
        assertThat(nodes).hasSize(3);
        for (Object entry : nodes) {
            JsonObject node = (JsonObject) entry;
            TrustMaterial material = TrustMaterial.load(dir.resolve("nodes").resolve(node.getString("slug")), dir);
            assertThat(material.participant().id().value()).isEqualTo(node.getString("participantId"))
                    .isEqualTo(ParticipantId.PREFIX + node.getString("siren"));
            assertThat(material.participant().displayName()).isEqualTo(node.getString("name"));
            assertThat(node.getJsonArray("territory").getList()).contains("EU:FR");
        }
        assertThat(Files.readString(dir.resolve("policy-signing.pub.pem"))).startsWith("-----BEGIN PUBLIC KEY-----");
        assertThat(PemFiles.readPublicKey(dir.resolve("policy-signing.pub.pem")))
                .isEqualTo(PemFiles.readCertificate(dir.resolve("policy-signing.crt")).getPublicKey());
        assertThat(federation.getString("federation")).isEqualTo("Fédération Socle (développement)");
    }
}
