package io.github.iamauth4j.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenProvider;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class IamJdbcConfigTest {

  @Test
  void aShortTokenLifeGetsAProportionalSafetyMarginSoTokensCanBeHandedOut() {
    IamJdbcConfig c =
        IamJdbcConfig.builder()
            .region("us-east-1")
            .credentialsProvider(new ExampleCredentialsProvider())
            .tokenExpiry(Duration.ofSeconds(8))
            .build();
    try (IamTokenProvider p = c.tokenProviderFor(IamTarget.rds("localhost", 5432, "app"))) {
      AuthToken t = p.token();
      assertThat(t.usableLife()).isEqualTo(Duration.ofSeconds(8));
    }
  }

  @Test
  void aGivenProviderMustSignForTheEndpointConnectedTo() {
    try (IamTokenProvider p =
        IamTokenProvider.builder()
            .target(IamTarget.rds("localhost", 5432, "app"))
            .region("us-east-1")
            .build()) {
      IamJdbcConfig c = IamJdbcConfig.builder().tokenProvider(p).build();
      assertThat(c.tokenProviderFor(IamTarget.rds("localhost", 5432, "app"))).isSameAs(p);
      assertThatThrownBy(() -> c.tokenProviderFor(IamTarget.rds("localhost", 5433, "app")))
          .isInstanceOf(IamConfigurationException.class)
          .hasMessageStartingWith("invalid iamauth4j configuration: tokenProvider: signs for");
      assertThatThrownBy(() -> IamJdbcConfig.builder().tokenProvider(p).region("x").build())
          .hasMessageContaining("tokenProvider: given together with region");
    }
  }

  @Test
  void settersCheckAtOnce() {
    assertThatThrownBy(() -> IamJdbcConfig.builder().tokenExpiry(Duration.ZERO))
        .hasMessageContaining("tokenExpiry:");
    assertThatThrownBy(
            () ->
                IamJdbcConfig.builder().retryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("retryBackoff:");
    assertThatThrownBy(() -> IamJdbcConfig.builder().signingEndpoint("h", 0))
        .hasMessageContaining("signingPort:");
    assertThat(IamJdbcConfig.isIamProperty("IAMREGION")).isTrue();
    assertThat(IamJdbcConfig.isIamProperty("sslmode")).isFalse();
  }

  @Test
  void anOutOfRangeExpiryNamesTheSetting() {
    IamJdbcConfig c =
        IamJdbcConfig.builder().region("us-east-1").tokenExpiry(Duration.ofHours(1)).build();
    assertThatThrownBy(() -> c.tokenProviderFor(IamTarget.rds("localhost", 5432, "app")))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("expiry:");
    // DSQL accepts up to a week.
    IamJdbcConfig.builder()
        .region("us-east-1")
        .tokenExpiry(Duration.ofHours(1))
        .build()
        .tokenProviderFor(IamTarget.dsql("abc.dsql.us-east-1.on.aws", "admin"))
        .close();
  }
}
