package fr.socle.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SirenTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "123456782", // the usual textbook example
        "732829320", // checksum over a doubled 9 (9*2 = 18 -> 9)
        "356000000", // La Poste: its SIRETs break Luhn, its SIREN does not
        "000000000", // syntactically valid; assignment is not this class's concern
        "219900016", "249900028", "239900038" // the certs-dev collectivités
    })
    void acceptsValidSirens(String value) {
        assertThat(Siren.parse(value).value()).isEqualTo(value);
        assertThat(Siren.isValid(value)).isTrue();
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("123456788", "SIREN 123456788 fails the Luhn checksum"),
                Arguments.of("123456781", "SIREN 123456781 fails the Luhn checksum"),
                Arguments.of("732829321", "SIREN 732829321 fails the Luhn checksum"),
                // a transposition of adjacent digits, the error Luhn exists to catch
                Arguments.of("213456782", "SIREN 213456782 fails the Luhn checksum"),
                Arguments.of("12345678", "SIREN must be 9 digits, got 8: '12345678'"),
                Arguments.of("1234567820", "SIREN must be 9 digits, got 10: '1234567820'"),
                Arguments.of("", "SIREN must be 9 digits, got 0: ''"),
                Arguments.of("123 456 782", "SIREN must be 9 digits, got 11: '123 456 782'"),
                Arguments.of("12345678A", "SIREN must be 9 digits, got 'A' at position 9: '12345678A'"),
                Arguments.of("-23456782", "SIREN must be 9 digits, got '-' at position 1: '-23456782'"),
                Arguments.of("١٢٣٤٥٦٧٨٢", "SIREN must be 9 digits, got '١' at position 1: '١٢٣٤٥٦٧٨٢'"));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void refusesWithPreciseMessage(String value, String message) {
        assertThatThrownBy(() -> Siren.parse(value))
                .isInstanceOfSatisfying(TrustException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.INVALID_SIREN);
                    assertThat(e.reason().code()).isEqualTo("invalid_siren");
                    assertThat(e.getMessage()).isEqualTo(message);
                });
        assertThat(Siren.isValid(value)).isFalse();
    }

    @Test
    void refusesNull() {
        assertThatThrownBy(() -> Siren.parse(null)).hasMessage("SIREN is missing");
    }
}
