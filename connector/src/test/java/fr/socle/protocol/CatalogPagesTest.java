package fr.socle.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class CatalogPagesTest {

  private static final String FIRST = "https://127.0.0.1:8443/dsp/catalog/request";

  @Test
  void nextLinkIsFoundAmongOthersAndResolvedAgainstTheFirstPage() {
    String header = "<https://127.0.0.1:8443/dsp/catalog/request?offset=0&limit=100>; rel=\"previous\", "
        + "</dsp/catalog/request?offset=200&limit=100>; rel=\"next\"";
    assertThat(CatalogPages.next(FIRST, header)).isEqualTo("https://127.0.0.1:8443/dsp/catalog/request?offset=200&limit=100");
    assertThat(CatalogPages.next(FIRST, "<?offset=100>; title=\"x\"; rel=\"prev next\""))
        .isEqualTo("https://127.0.0.1:8443/dsp/catalog/request?offset=100");
  }

  @Test
  void noNextLinkOrOneToAnotherOriginEndsTheCatalog() {
    assertThat(CatalogPages.next(FIRST, null)).isNull();
    assertThat(CatalogPages.next(FIRST, "<https://127.0.0.1:8443/x>; rel=\"previous\"")).isNull();
    assertThat(CatalogPages.next(FIRST, "<https://elsewhere.example:8443/dsp/catalog/request?offset=100>; rel=next"))
        .isNull();
    assertThat(CatalogPages.next(FIRST, "<http://127.0.0.1:8443/dsp/catalog/request?offset=100>; rel=next"))
        .as("a downgrade to plain HTTP").isNull();
    assertThat(CatalogPages.next(FIRST, "<https://127.0.0.1:9443/dsp/catalog/request>; rel=next")).isNull();
    assertThat(CatalogPages.next(FIRST, "not a link header")).isNull();
  }

  @Test
  void pagesAddTheirDatasetsToTheFirstPage() {
    JsonObject first = new JsonObject().put("@type", "Catalog").put("participantId", "NTRFR-239900038")
        .put("dataset", new JsonArray().add(new JsonObject().put("@id", "a")));
    JsonObject second = new JsonObject().put("@type", "Catalog")
        .put("dataset", new JsonObject().put("@id", "b"));
    JsonObject merged = CatalogPages.merge(first, second);
    assertThat(merged.getJsonArray("dataset").stream().map(d -> ((JsonObject) d).getString("@id")))
        .containsExactly("a", "b");
    assertThat(merged.getString("participantId")).isEqualTo("NTRFR-239900038");
    assertThat(first.getJsonArray("dataset")).as("the first page is not modified").hasSize(1);
    assertThat(CatalogPages.merge(first, new JsonObject())).isEqualTo(first);
  }
}
