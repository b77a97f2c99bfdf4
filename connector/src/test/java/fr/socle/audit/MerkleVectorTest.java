package fr.socle.audit;

import static org.assertj.core.api.Assertions.assertThat;

import fr.socle.testing.Vectors;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every Merkle vector in {@code vectors/audit} ({@code inclusion-*} and {@code consistency-*};
 * written by {@link VectorGenerator} from {@link MerkleReference}) through {@link Merkle}.
 */
class MerkleVectorTest {

  static Stream<Arguments> vectors() throws IOException, URISyntaxException {
    return Vectors.load("audit", "inclusion-", "consistency-");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void verifiesAsTheVectorSays(String name, JsonObject vector) {
    JsonObject in = vector.getJsonObject("inputs");
    ProofResult result = switch (vector.getString("kind")) {
      case "inclusion" -> Merkle.verifyInclusion(in.getLong("index"), in.getLong("size"),
          hex(in.getString("leafHash")), hex(in.getJsonArray("proof")), hex(in.getString("root")));
      case "consistency" -> Merkle.verifyConsistency(in.getLong("size1"), in.getLong("size2"),
          hex(in.getString("root1")), hex(in.getString("root2")), hex(in.getJsonArray("proof")));
      default -> throw new IllegalArgumentException("unknown kind in " + name);
    };
    assertThat(result.code()).as(vector.getString("desc") + " -> " + result).isEqualTo(vector.getString("wantReason"));
  }

  static byte[] hex(String text) {
    return HexFormat.of().parseHex(text);
  }

  static List<byte[]> hex(JsonArray texts) {
    List<byte[]> out = new ArrayList<>();
    for (Object text : texts) {
      out.add(hex((String) text));
    }
    return out;
  }
}
