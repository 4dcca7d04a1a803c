package io.github.iamauth4j.core;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The one transport rule every adapter applies before a token leaves. */
class TlsRuleTest {
  static final String OPT_OUT = "IamX.Builder.allowPlaintextForLocalTesting()";

  @Test
  void verifiedTlsPasses() {
    assertThatCode(() -> TlsRule.check("conn h:1", "ssl", true, true, false, OPT_OUT))
        .doesNotThrowAnyException();
  }

  @Test
  void plaintextIsRefusedNamingTheSettingAndTheOptOut() {
    assertThatThrownBy(() -> TlsRule.check("conn h:1", "rediss://", false, false, false, OPT_OUT))
        .isInstanceOf(InsecureConnectionException.class)
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("conn h:1")
        .hasMessageContaining("TLS is off")
        .hasMessageContaining("rediss://")
        .hasMessageContaining("No token was sent")
        .hasMessageContaining(OPT_OUT)
        .satisfies(
            e ->
                org.assertj.core.api.Assertions.assertThat(
                        ((InsecureConnectionException) e).setting())
                    .isEqualTo("rediss://"));
  }

  @Test
  void unverifiedTlsIsRefused() {
    assertThatThrownBy(() -> TlsRule.check("conn h:1", "verifyPeer", true, false, false, OPT_OUT))
        .isInstanceOf(InsecureConnectionException.class)
        .hasMessageContaining("does not verify the server")
        .hasMessageContaining(OPT_OUT);
  }

  @Test
  void theOptOutLetsBothThrough() {
    assertThatCode(() -> TlsRule.check("conn h:2", "ssl", false, false, true, OPT_OUT))
        .doesNotThrowAnyException();
    assertThatCode(() -> TlsRule.check("conn h:2", "ssl", true, false, true, OPT_OUT))
        .doesNotThrowAnyException();
  }
}
