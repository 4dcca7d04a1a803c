package io.github.iamauth4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The one provider configuration. */
class IamAuthConfigTest {

  @Test
  void defaultsAndToBuilderRoundTrip() {
    FakeCredentials creds = FakeCredentials.basic();
    IamAuthConfig c =
        IamAuthConfig.builder()
            .target(IamTarget.elastiCache("orders", "app"))
            .region("us-east-1")
            .credentialsProvider(creds)
            .build();
    assertThat(c.firstTokenTimeout()).isEqualTo(IamAuthConfig.DEFAULT_FIRST_TOKEN_TIMEOUT);
    assertThat(c.refreshBeforeExpiry()).isEqualTo(Duration.ofSeconds(450));
    assertThat(c.safetyMargin()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.region()).isEqualTo("us-east-1");

    IamAuthConfig d = c.toBuilder().firstTokenTimeout(Duration.ofSeconds(9)).build();
    assertThat(d.firstTokenTimeout()).isEqualTo(Duration.ofSeconds(9));
    assertThat(d.target()).isEqualTo(c.target());
    assertThat(d.credentialsProviderSetting()).isSameAs(creds);
    assertThat(c.firstTokenTimeout()).isEqualTo(IamAuthConfig.DEFAULT_FIRST_TOKEN_TIMEOUT);
    assertThat(d.toString()).contains("orders").contains("FakeCredentials");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertThatThrownBy(
            () ->
                IamAuthConfig.builder()
                    .region("mars-north-9")
                    .firstTokenTimeout(Duration.ZERO)
                    .refreshBeforeExpiry(Duration.ofSeconds(-1))
                    .retryBackoff(Duration.ofSeconds(5), Duration.ofSeconds(1))
                    .build())
        .isInstanceOfSatisfying(
            IamConfigurationException.class,
            e ->
                assertThat(e.problems())
                    .anySatisfy(p -> assertThat(p).startsWith("target:"))
                    .anySatisfy(p -> assertThat(p).startsWith("region:"))
                    .anySatisfy(p -> assertThat(p).startsWith("firstTokenTimeout:"))
                    .anySatisfy(p -> assertThat(p).startsWith("refreshBeforeExpiry:"))
                    .anySatisfy(p -> assertThat(p).startsWith("retryBackoff max:")));
  }

  @Test
  void aProviderBuiltFromTheConfigurationUsesItsSettings() {
    IamAuthConfig c =
        IamAuthConfig.builder()
            .target(IamTarget.memoryDb("orders", "app"))
            .region("eu-west-1")
            .credentialsProvider(FakeCredentials.basic())
            .firstTokenTimeout(Duration.ofSeconds(2))
            .build();
    try (IamTokenProvider p = IamTokenProvider.create(c)) {
      assertThat(p.config()).isSameAs(c);
      assertThat(p.firstTokenTimeout()).isEqualTo(Duration.ofSeconds(2));
      assertThat(p.region()).isEqualTo("eu-west-1");
      assertThat(p.events().target()).isEqualTo(c.target());
    }
  }

  @Test
  void listenersAddedLaterHearEventsUntilRemoved() throws Exception {
    IamAuthConfig c =
        IamAuthConfig.builder()
            .target(IamTarget.elastiCache("orders", "app"))
            .region("us-east-1")
            .credentialsProvider(FakeCredentials.basic())
            .build();
    try (IamTokenProvider p = IamTokenProvider.create(c)) {
      java.util.List<IamAuthEvent> heard = new java.util.ArrayList<>();
      AutoCloseable l = p.events().listen(heard::add);
      p.events().reauthenticated("c1");
      l.close();
      p.events().retired("c2", Duration.ofHours(6));
      assertThat(heard).singleElement().isInstanceOf(IamAuthEvent.ConnectionReauthenticated.class);
    }
  }
}
