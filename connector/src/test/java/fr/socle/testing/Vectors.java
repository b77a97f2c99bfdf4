package fr.socle.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Loads {@code vectors/<set>/<case>.json} files by name prefix as (case name, content) arguments for a
 * {@code @MethodSource}. Every file has {@code desc}, {@code kind}, {@code inputs} and {@code wantReason}.
 */
public final class Vectors {

  private Vectors() {}

  /** @param set the directory under {@code vectors/}: {@code audit} or {@code canonical} */
  public static Stream<Arguments> load(String set, String... prefixes) throws IOException, URISyntaxException {
    Path dir = Path.of(Objects.requireNonNull(Vectors.class.getResource("/vectors/" + set)).toURI());
    List<Arguments> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.sorted().toList()) {
        String name = file.getFileName().toString();
        if (name.endsWith(".json") && Stream.of(prefixes).anyMatch(name::startsWith)) {
          out.add(Arguments.of(name.substring(0, name.length() - 5), new JsonObject(Files.readString(file))));
        }
      }
    }
    assertThat(out).as("vector files for " + List.of(prefixes)).isNotEmpty();
    return out.stream();
  }
}
