package io.github.iamauth4j.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenProvider;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class IamJdbcConfigTest {

  private static IamDataSource dataSource(String url, IamJdbcConfig config) {
    return IamDataSource.builder()
        .url(url)
        .user("app")
        .config(config)
        .property("sslmode", "require")
        .build();
  }

  @Test
  void aShortTokenLifeGetsAProportionalSafetyMarginSoTokensCanBeHandedOut() {
    IamJdbcConfig c =
        IamJdbcConfig.builder()
            .auth(
                IamAuthConfig.builder()
                    .region("us-east-1")
                    .credentialsProvider(new ExampleCredentialsProvider())
                    .expiry(Duration.ofSeconds(8)))
            .build();
    try (IamDataSource ds = dataSource("jdbc:postgresql://localhost:5432/db", c)) {
      AuthToken t = ds.tokenProvider().token();
      assertThat(t.usableLife()).isEqualTo(Duration.ofSeconds(8));
    }
  }

  @Test
  void theTemplateIsCopiedSoLaterChangesAreNotSeen() {
    IamAuthConfig.Builder template = IamAuthConfig.builder().region("us-east-1");
    IamJdbcConfig c = IamJdbcConfig.builder().auth(template).build();
    template.region("eu-west-1");
    assertThat(c.auth().target(IamTarget.rds("localhost", 5432, "app")).build().region())
        .isEqualTo("us-east-1");
    // Nor does a change to what auth() returned.
    c.auth().region("eu-west-1");
    assertThat(c.toBuilder().build().auth().target(IamTarget.rds("h", 1, "u")).build().region())
        .isEqualTo("us-east-1");
  }

  @Test
  void theFirstTokenTimeoutIsTheCoresDefault() {
    assertThat(
            IamJdbcConfig.defaults()
                .auth()
                .region("us-east-1")
                .target(IamTarget.rds("localhost", 5432, "app"))
                .build()
                .firstTokenTimeout())
        .isEqualTo(IamAuthConfig.DEFAULT_FIRST_TOKEN_TIMEOUT)
        .isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void aGivenProviderMustSignForTheEndpointConnectedTo() {
    try (IamTokenProvider p =
        IamTokenProvider.builder()
            .target(IamTarget.rds("localhost", 5432, "app"))
            .region("us-east-1")
            .credentialsProvider(new ExampleCredentialsProvider())
            .build()) {
      IamJdbcConfig c = IamJdbcConfig.builder().tokenProvider(p).build();
      try (IamDataSource ds = dataSource("jdbc:postgresql://localhost:5432/db", c)) {
        assertThat(ds.tokenProvider()).isSameAs(p);
      }
      assertThatThrownBy(() -> dataSource("jdbc:postgresql://localhost:5433/db", c))
          .isInstanceOf(IamConfigurationException.class)
          .hasMessageStartingWith("invalid iamauth4j configuration: tokenProvider: signs for");
      assertThatThrownBy(
              () ->
                  IamJdbcConfig.builder()
                      .tokenProvider(p)
                      .auth(IamAuthConfig.builder().region("x"))
                      .build())
          .hasMessageContaining("tokenProvider: given together with auth");
      // Given, not owned: closing the data source left it open.
      assertThat(p.isClosed()).isFalse();
    }
  }

  @Test
  void settersCheckAtOnce() {
    assertThatThrownBy(() -> IamJdbcConfig.builder().signingEndpoint("h", 0))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("signingEndpoint port:");
  }

  @Test
  void anOutOfRangeExpiryNamesTheSettingAsTheBuilderCallsIt() {
    IamJdbcConfig c =
        IamJdbcConfig.builder()
            .auth(IamAuthConfig.builder().region("us-east-1").expiry(Duration.ofHours(1)))
            .build();
    assertThatThrownBy(() -> dataSource("jdbc:postgresql://localhost:5432/db", c))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("expiry:");
    // DSQL accepts up to a week.
    dataSource("jdbc:iamauth4j:dsql://abc.dsql.us-east-1.on.aws", c).close();
  }
}
