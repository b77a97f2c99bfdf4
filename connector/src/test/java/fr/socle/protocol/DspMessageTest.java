package fr.socle.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class DspMessageTest {

  private static JsonObject request() {
    return new JsonObject().put("@context", new JsonArray().add(Dsp.CONTEXT)).put("@type", "ContractRequestMessage")
        .put("consumerPid", "c-1").put("offer", new JsonObject().put("@id", "o-1"));
  }

  @Test
  void acceptsAWellFormedMessage() {
    DspMessage m = DspMessage.of(request(), "ContractRequestMessage");
    assertThat(m.requireString("consumerPid")).isEqualTo("c-1");
    assertThat(m.requireObject("offer").getString("@id")).isEqualTo("o-1");
    assertThat(m.optionalString("providerPid")).isNull();
  }

  @Test
  void refusesAMissingContextWithWhatWasExpected() {
    assertThatThrownBy(() -> DspMessage.of(request().put("@context", "https://example.org/other"),
        "ContractRequestMessage"))
        .isInstanceOf(DspException.class)
        .hasMessage("expected @context to include " + Dsp.CONTEXT + ", got https://example.org/other");
  }

  @Test
  void refusesAnotherTypeNamingBoth() {
    assertThatThrownBy(() -> DspMessage.of(request(), "TransferRequestMessage"))
        .hasMessage("expected @type TransferRequestMessage, got ContractRequestMessage")
        .satisfies(e -> assertThat(((DspException) e).status()).isEqualTo(400));
  }

  @Test
  void refusesMistypedProperties() {
    DspMessage m = DspMessage.of(request().put("consumerPid", 42).put("callbackAddress", new JsonArray()),
        "ContractRequestMessage");
    assertThatThrownBy(() -> m.requireString("consumerPid"))
        .hasMessage("ContractRequestMessage requires a non-empty string 'consumerPid', got 42");
    assertThatThrownBy(() -> m.optionalString("callbackAddress"))
        .hasMessage("ContractRequestMessage: 'callbackAddress' must be a string, got []");
    assertThatThrownBy(() -> m.requireObject("agreement"))
        .hasMessage("ContractRequestMessage requires an object 'agreement', got null");
  }

  @Test
  void refusesAnEmptyBody() {
    assertThatThrownBy(() -> DspMessage.of(null, "CatalogRequestMessage"))
        .hasMessage("expected a JSON object of type CatalogRequestMessage, got an empty body");
  }
}
