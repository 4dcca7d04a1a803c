package io.github.iamauth4j.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.jdbc.ExampleCredentialsProvider;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;

class PropertySettingsTest {

  private static Lookup props(String... kv) {
    Properties p = new Properties();
    for (int i = 0; i < kv.length; i += 2) {
      p.setProperty(kv[i], kv[i + 1]);
    }
    return Lookup.of(null, p);
  }

  @Test
  void readsEverySetting() {
    PropertySettings s =
        PropertySettings.read(
            props(
                "iamRegion", "eu-west-1",
                "iamProfile", "prod",
                "iamTokenExpiry", "PT10M",
                "iamCaBundle", "/etc/ca.pem",
                "iamAllowPlaintextForLocalTesting", "TRUE",
                "iamHost", "db.example",
                "iamPort", "6543"));
    assertThat(s.region()).isEqualTo("eu-west-1");
    assertThat(s.profile()).isEqualTo("prod");
    assertThat(s.tokenExpiry()).isEqualTo(Duration.ofMinutes(10));
    assertThat(s.caBundle()).hasToString("/etc/ca.pem");
    assertThat(s.allowPlaintext()).isTrue();
    assertThat(s.signingHost()).isEqualTo("db.example");
    assertThat(s.signingPort()).isEqualTo(6543);
    assertThat(PropertySettings.read(props("iamTokenExpiry", "60")).tokenExpiry())
        .isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void reportsEveryProblemTogether() {
    assertThatThrownBy(
            () ->
                PropertySettings.read(
                    props(
                        "iamProfile", "a",
                        "iamCredentialsProvider", "b",
                        "iamTokenExpiry", "soon",
                        "iamAllowPlaintextForLocalTesting", "yes",
                        "iamPort", "0")))
        .isInstanceOfSatisfying(
            IamConfigurationException.class,
            e ->
                assertThat(e.problems())
                    .hasSize(4)
                    .anyMatch(p -> p.startsWith("iamProfile, iamCredentialsProvider:"))
                    .anyMatch(p -> p.startsWith("iamTokenExpiry:"))
                    .anyMatch(p -> p.startsWith("iamAllowPlaintextForLocalTesting:"))
                    .anyMatch(p -> p.startsWith("iamPort:")));
  }

  @Test
  void makesCredentialsProvidersByCreateOrConstructor() {
    assertThat(Credentials.instantiate(ExampleCredentialsProvider.class.getName()))
        .isInstanceOf(ExampleCredentialsProvider.class);
    assertThat(Credentials.instantiate(AnonymousCredentialsProvider.class.getName()))
        .isInstanceOf(AnonymousCredentialsProvider.class);
    assertThat(PropertySettings.read(props("iamCredentialsProvider", "x")).credentialsClass())
        .isEqualTo("x");
  }

  @Test
  void aCredentialsClassThatCannotBeUsedNamesTheSetting() {
    assertThatThrownBy(() -> Credentials.instantiate("com.example.Nope"))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("iamCredentialsProvider: \"com.example.Nope\" was not found");
    assertThatThrownBy(() -> Credentials.instantiate(String.class.getName()))
        .hasMessageContaining("is not an software.amazon.awssdk.auth.credentials");
    assertThatThrownBy(
            () ->
                PropertySettings.read(props("iamCredentialsProvider", "com.example.Nope"))
                    .auth(List.of()))
        .hasMessageContaining("iamCredentialsProvider");
  }
}
