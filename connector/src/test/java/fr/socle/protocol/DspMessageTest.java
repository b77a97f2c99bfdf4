package fr.socle.protocol;

import fr.socle.edge.Failures;
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
    JsonObject noContext = request();
    noContext.remove("@context");
    assertThatThrownBy(() -> DspMessage.of(noContext, "ContractRequestMessage"))
        .isInstanceOf(Refusal.class)
        .hasMessage("expected @context to include " + Dsp.CONTEXT + ", got none");
  }

  @Test
  void neverFetchesAnUnknownContext() {
    assertThatThrownBy(() -> DspMessage.of(request().put("@context", "https://example.org/other"),
        "ContractRequestMessage"))
        .isInstanceOf(Refusal.class)
        .hasMessageContaining("context https://example.org/other is not one this node knows (it never fetches "
            + "contexts); use " + Dsp.CONTEXT)
        .satisfies(e -> assertThat(Failures.status(((Refusal) e).kind())).isEqualTo(400));
  }

  @Test
  void keepsAMessageInTheDspContextExactlyAsSent() {
    JsonObject sent = request().put("offer", new JsonObject().put("@id", "o-1").put("rightOperand",
        new JsonArray().add("INSEE-REG:94")));
    assertThat(DspMessage.of(sent, "ContractRequestMessage").body()).isSameAs(sent);
  }

  @Test
  void compactsAnExpandedMessageWithTheDspContext() {
    JsonObject expanded = new JsonObject()
        .put("@type", new JsonArray().add("https://w3id.org/dspace/2025/1/ContractNegotiationEventMessage"))
        .put("https://w3id.org/dspace/2025/1/providerPid", new JsonArray().add(new JsonObject().put("@id", "p-1")))
        .put("https://w3id.org/dspace/2025/1/consumerPid", new JsonArray().add(new JsonObject().put("@id", "c-1")))
        .put("https://w3id.org/dspace/2025/1/eventType",
            new JsonArray().add(new JsonObject().put("@id", "https://w3id.org/dspace/2025/1/ACCEPTED")))
        .put("@context", new JsonObject());
    DspMessage m = DspMessage.of(expanded, "ContractNegotiationEventMessage");
    assertThat(m.requireString("providerPid")).isEqualTo("p-1");
    assertThat(m.requireString("consumerPid")).isEqualTo("c-1");
    assertThat(m.requireString("eventType")).isEqualTo("ACCEPTED");
  }

  @Test
  void refusesWhatIsNotJsonLd() {
    assertThatThrownBy(() -> DspMessage.of(request().put("@id", 42), "ContractRequestMessage"))
        .hasMessageStartingWith("the ContractRequestMessage is not JSON-LD this node can process")
        .satisfies(e -> assertThat(Failures.status(((Refusal) e).kind())).isEqualTo(400));
  }

  @Test
  void refusesAnotherTypeNamingBoth() {
    assertThatThrownBy(() -> DspMessage.of(request(), "TransferRequestMessage"))
        .hasMessage("expected @type TransferRequestMessage, got ContractRequestMessage")
        .satisfies(e -> assertThat(Failures.status(((Refusal) e).kind())).isEqualTo(400));
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
