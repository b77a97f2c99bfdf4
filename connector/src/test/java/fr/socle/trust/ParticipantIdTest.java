package fr.socle.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.junit.jupiter.api.Test;

class ParticipantIdTest {

    private static X509Certificate cert(X500NameBuilder builder) throws Exception {
        return TestCertificates.selfSigned(builder.build());
    }

    private static X500NameBuilder base() {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.C, "FR");
    }

    @Test
    void extractsIdAndDisplayName() throws Exception {
        X509Certificate cert = cert(base().addRDN(BCStyle.ORGANIZATION_IDENTIFIER, "NTRFR-219900016")
                .addRDN(BCStyle.O, "Commune d'Esempiu (dev)").addRDN(BCStyle.CN, "node 1"));
        ParticipantId id = ParticipantId.fromCertificate(cert);
        assertThat(id.value()).isEqualTo("NTRFR-219900016");
        assertThat(id.siren().value()).isEqualTo("219900016");
        assertThat(ParticipantId.parse(id.value())).isEqualTo(id);
        assertThat(Participant.fromCertificate(cert)).isEqualTo(new Participant(id, "Commune d'Esempiu (dev)"));
    }

    @Test
    void displayNameFallsBackToCommonName() throws Exception {
        X509Certificate cert = cert(base().addRDN(BCStyle.ORGANIZATION_IDENTIFIER, "NTRFR-219900016").addRDN(BCStyle.CN, "Piana"));
        assertThat(Participant.displayName(cert)).isEqualTo("Piana");
    }

    @Test
    void refusesMissingIdentifier() throws Exception {
        X509Certificate cert = cert(base().addRDN(BCStyle.O, "Acme").addRDN(BCStyle.CN, "Acme"));
        assertThatThrownBy(() -> ParticipantId.fromCertificate(cert))
                .isInstanceOfSatisfying(TrustException.class, e -> {
                    assertThat(e.reason().code()).isEqualTo("missing_organization_identifier");
                    assertThat(e.getMessage()).isEqualTo(
                            "certificate 'CN=Acme,O=Acme,C=FR' has no organizationIdentifier (2.5.4.97) in its subject");
                });
    }

    @Test
    void refusesOtherScheme() throws Exception {
        X509Certificate cert = cert(base().addRDN(BCStyle.ORGANIZATION_IDENTIFIER, "VATFR-12123456782").addRDN(BCStyle.CN, "Acme"));
        assertThatThrownBy(() -> ParticipantId.fromCertificate(cert))
                .isInstanceOfSatisfying(TrustException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_IDENTIFIER_SCHEME);
                    assertThat(e.getMessage()).isEqualTo("organizationIdentifier of "
                            + "'CN=Acme,organizationIdentifier=VATFR-12123456782,C=FR' must start with 'NTRFR-', got 'VATFR-12123456782'");
                });
    }

    @Test
    void refusesInvalidSiren() throws Exception {
        X509Certificate cert = cert(base().addRDN(BCStyle.ORGANIZATION_IDENTIFIER, "NTRFR-123456788").addRDN(BCStyle.CN, "Acme"));
        assertThatThrownBy(() -> ParticipantId.fromCertificate(cert))
                .isInstanceOfSatisfying(TrustException.class, e -> {
                    assertThat(e.reason().code()).isEqualTo("invalid_siren");
                    assertThat(e.getMessage()).isEqualTo("organizationIdentifier of "
                            + "'CN=Acme,organizationIdentifier=NTRFR-123456788,C=FR': SIREN 123456788 fails the Luhn checksum");
                });
    }

    @Test
    void refusesTwoIdentifiersEvenInOneMultiValuedRdn() throws Exception {
        // A second value hidden in a multi-valued RDN must not let the certificate speak for two SIRENs.
        X500NameBuilder builder = base().addMultiValuedRDN(new AttributeTypeAndValue[] {
            new AttributeTypeAndValue(BCStyle.ORGANIZATION_IDENTIFIER, utf8("NTRFR-219900016")),
            new AttributeTypeAndValue(BCStyle.ORGANIZATION_IDENTIFIER, utf8("NTRFR-239900038"))}).addRDN(BCStyle.CN, "Two");
        X509Certificate cert = cert(builder);
        assertThatThrownBy(() -> ParticipantId.fromCertificate(cert))
                .isInstanceOfSatisfying(TrustException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.MULTIPLE_ORGANIZATION_IDENTIFIERS);
                    assertThat(e.getMessage()).endsWith("has 2 organizationIdentifier values, expected 1: [NTRFR-219900016, NTRFR-239900038]");
                });
    }

    @Test
    void parseRefusesBarePrefixlessSiren() {
        assertThatThrownBy(() -> ParticipantId.parse("219900016"))
                .hasMessage("participant id must start with 'NTRFR-', got '219900016'");
        assertThatThrownBy(() -> ParticipantId.parse("NTRFR-21990001"))
                .hasMessage("SIREN must be 9 digits, got 8: '21990001'");
    }

    private static ASN1Encodable utf8(String value) {
        return new DERUTF8String(value);
    }
}
