package io.github.iamauth4j.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.iamauth4j.core.IamConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The password fallback settings of the URL driver, and what counts as a refused token. */
class FallbackSettingsTest {

  private static Lookup props(String... kv) {
    Properties p = new Properties();
    for (int i = 0; i < kv.length; i += 2) {
      p.setProperty(kv[i], kv[i + 1]);
    }
    return Lookup.of(null, p);
  }

  @Test
  void aFallbackIsAUserAndWhereItsPasswordIsNeverThePassword(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("pw");
    Files.writeString(file, "s3cret\n");
    PropertySettings s =
        PropertySettings.read(
            props(
                "iamFallbackUser", "app_legacy",
                "iamFallbackPasswordFile", file.toString(),
                "iamFallbackRetryIamAfter", "5"));
    assertThat(s.fallback()).isNotNull();
    assertThat(s.fallback().user()).isEqualTo("app_legacy");
    assertThat(s.fallback().password()).isEqualTo("s3cret");
    assertThat(s.fallback().retryIamAfter()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.toString()).doesNotContain("s3cret");
    assertThat(PropertySettings.isIamProperty("IAMFALLBACKUSER")).isTrue();
    assertThat(PropertySettings.read(props()).fallback()).isNull();
  }

  @Test
  void badFallbackSettingsAreNamedAllAtOnce(@TempDir Path dir) {
    assertThatThrownBy(() -> PropertySettings.read(props("iamFallbackPasswordEnv", "DB_PASSWORD")))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("iamFallbackUser: missing");
    assertThatThrownBy(() -> PropertySettings.read(props("iamFallbackUser", "legacy")))
        .hasMessageContaining("iamFallbackPasswordEnv, iamFallbackPasswordFile: neither set");
    assertThatThrownBy(
            () ->
                PropertySettings.read(
                    props(
                        "iamFallbackUser", "legacy",
                        "iamFallbackPasswordEnv", "IAMAUTH4J_SURELY_UNSET_VARIABLE")))
        .hasMessageContaining("iamFallbackPasswordEnv: environment variable")
        .hasMessageContaining("is not set or empty");
    assertThatThrownBy(
            () ->
                PropertySettings.read(
                    props(
                        "iamFallbackUser",
                        "legacy",
                        "iamFallbackPasswordFile",
                        dir.resolve("missing").toString())))
        .hasMessageContaining("iamFallbackPasswordFile:")
        .hasMessageContaining("is not a readable file");
  }

  @Test
  void thePluginsRefuseAFallbackTheyCannotUse(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("pw");
    Files.writeString(file, "x");
    PropertySettings s =
        PropertySettings.read(
            props("iamFallbackUser", "legacy", "iamFallbackPasswordFile", file.toString()));
    assertThatThrownBy(() -> s.refuseFallback("the pgjdbc authentication plugin"))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("iamFallbackUser: not supported by the pgjdbc authentication plugin");
  }

  @Test
  void refusalsAreTheServersCredentialErrorsOnly() {
    assertThat(FallbackConnect.refusedCredentials(new SQLException("PAM", "28P01"))).isTrue();
    assertThat(
            FallbackConnect.refusedCredentials(
                new SQLInvalidAuthorizationSpecException("denied", "28000", 1045)))
        .isTrue();
    assertThat(FallbackConnect.refusedCredentials(new SQLException("Access denied", "HY000", 1045)))
        .isTrue();
    assertThat(
            FallbackConnect.refusedCredentials(
                new SQLException("wrapped", "08001", new SQLException("PAM", "28P01"))))
        .isTrue();
    assertThat(FallbackConnect.refusedCredentials(new SQLException("refused", "08001"))).isFalse();
    assertThat(FallbackConnect.refusedCredentials(new SQLException("no db", "3D000"))).isFalse();
  }
}
