package fr.socle.management;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Accept-Language negotiation of the management API's wording (RFC 9110 §12.5.4). */
class LanguagesTest {

  @ParameterizedTest(name = "''{0}'' -> {1}")
  @CsvSource(delimiter = '|', value = {
      "fr                          | fr",
      "fr-FR                       | fr",
      "FR-be                       | fr",
      "en                          | en",
      "en-GB, fr;q=0.9             | en",
      "fr;q=0.4, en;q=0.6          | en",
      "en;q=0.4, fr-FR;q=0.6       | fr",
      "de, fr;q=0.2                | fr",
      "de, it                      | en",
      "*                           | en",
      "fr;q=0, en;q=0.1            | en",
      "fr;q=0                      | en",
      "fr;q=abc, en;q=0.5          | en",
      "fr;q=2                      | en",
      "fr ; q=0.7 , en ; q=0.7     | fr",
      "en;q=0.7, fr;q=0.7          | en",
      "''                          | en",
      "',,;;,'                     | en"})
  void picksTheSupportedLanguageWithTheHighestQuality(String header, String expected) {
    assertThat(Languages.preferred(header)).isEqualTo(expected);
  }

  @Test
  void noHeaderMeansEnglish() {
    assertThat(Languages.preferred(null)).isEqualTo("en");
  }
}
