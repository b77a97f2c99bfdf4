package fr.socle.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fr.socle.testing.Federation;
import fr.socle.testing.Paths;
import fr.socle.trust.TrustMaterial;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Secrets encrypted at rest: what opens, and everything that must not. */
class SealedValuesTest {

  private static final String PLACE = "transfer/t-1/destination";
  private static final String TOKEN = "{\"authorization\":\"receiver-secret\"}";

  private static TrustMaterial node(String slug) {
    return TrustMaterial.load(Paths.certs().resolve("nodes").resolve(slug), Paths.certs());
  }

  @Test
  void aSealedValueOpensWhereItWasSealedAndShowsNothingOfIt() {
    SealedValues values = SealedValues.ephemeral();
    String sealed = values.seal(PLACE, TOKEN);
    assertThat(sealed).startsWith(SealedValues.PREFIX).doesNotContain("receiver-secret");
    assertThat(SealedValues.isSealed(sealed)).isTrue();
    assertThat(values.open(PLACE, sealed)).isEqualTo(TOKEN);
    // A fresh nonce each time: equal values do not look equal at rest.
    assertThat(values.seal(PLACE, TOKEN)).isNotEqualTo(sealed);
  }

  @Test
  void anAlteredValueIsRefused() {
    SealedValues values = SealedValues.ephemeral();
    String sealed = values.seal(PLACE, TOKEN);
    int last = sealed.length() - 5;
    String altered = sealed.substring(0, last) + (sealed.charAt(last) == 'A' ? 'B' : 'A') + sealed.substring(last + 1);
    assertThatThrownBy(() -> values.open(PLACE, altered)).isInstanceOf(SealedValues.Unreadable.class)
        .hasMessageContaining("does not decrypt with this node's key");
    assertThatThrownBy(() -> values.open(PLACE, SealedValues.PREFIX + "AAAA"))
        .isInstanceOf(SealedValues.Unreadable.class).hasMessageContaining("too short");
    assertThatThrownBy(() -> values.open(PLACE, SealedValues.PREFIX + "!!not base64!!"))
        .isInstanceOf(SealedValues.Unreadable.class).hasMessageContaining("not a sealed value");
    assertThatThrownBy(() -> values.open(PLACE, TOKEN)).isInstanceOf(SealedValues.Unreadable.class)
        .hasMessageContaining("not a sealed value");
  }

  @Test
  void aValueMovedToAnotherRowOrColumnIsRefused() {
    SealedValues values = SealedValues.ephemeral();
    String sealed = values.seal(PLACE, TOKEN);
    assertThatThrownBy(() -> values.open("transfer/t-2/destination", sealed))
        .isInstanceOf(SealedValues.Unreadable.class);
    assertThatThrownBy(() -> values.open("transfer/t-1/data_address", sealed))
        .isInstanceOf(SealedValues.Unreadable.class);
  }

  /** The key comes from the node key: the same node opens its values after a restart, another node never. */
  @Test
  void theKeyIsTheNodesOwn() {
    String sealed = SealedValues.derivedFrom(node(Federation.PROVIDER).nodeKey()).seal(PLACE, TOKEN);
    assertThat(SealedValues.derivedFrom(node(Federation.PROVIDER).nodeKey()).open(PLACE, sealed)).isEqualTo(TOKEN);
    assertThatThrownBy(() -> SealedValues.derivedFrom(node(Federation.CONSUMER).nodeKey()).open(PLACE, sealed))
        .isInstanceOf(SealedValues.Unreadable.class).hasMessageContaining("another node key");
    assertThatThrownBy(() -> SealedValues.ephemeral().open(PLACE, sealed)).isInstanceOf(SealedValues.Unreadable.class);
  }

  /** RFC 5869, appendix A.1. */
  @Test
  void hkdfMatchesTheRfcVector() {
    HexFormat hex = HexFormat.of();
    byte[] okm = SealedValues.hkdf(hex.parseHex("000102030405060708090a0b0c"),
        hex.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), hex.parseHex("f0f1f2f3f4f5f6f7f8f9"), 42);
    assertThat(hex.formatHex(okm)).isEqualTo(
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  }
}
