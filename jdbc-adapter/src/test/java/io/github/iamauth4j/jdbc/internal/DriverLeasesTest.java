package io.github.iamauth4j.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamAuthListener;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.TokenUnavailableException;
import io.github.iamauth4j.jdbc.ExampleCredentialsProvider;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

class DriverLeasesTest {

  @AfterEach
  void closeAll() {
    DriverLeases.closeAll();
  }

  private static Properties props(String region, String user) {
    Properties p = new Properties();
    if (region != null) {
      p.setProperty("iamRegion", region);
    }
    p.setProperty("iamCredentialsProvider", ExampleCredentialsProvider.class.getName());
    p.setProperty("user", user);
    p.setProperty("sslmode", "require");
    return p;
  }

  private static AuthToken token(String region, String user) {
    Properties p = props(region, user);
    PropertySettings s = PropertySettings.read(Lookup.of(null, p));
    ConnectionPlan plan =
        ConnectionPlan.forEndpoint(
            Engine.POSTGRESQL, "localhost", 5432, p, s.plan(), ConnectionPlan.Tls.COMPLETE, "url");
    return DriverLeases.token(plan, s);
  }

  @Test
  void connectionsToTheSameEndpointReuseOneToken() {
    List<IamAuthEvent> events = new CopyOnWriteArrayList<>();
    IamAuthListener listener = events::add;
    DriverLeases.addListener(listener);
    try {
      AuthToken first = token("us-east-1", "app");
      for (int i = 0; i < 50; i++) {
        assertThat(token("us-east-1", "app").value()).isEqualTo(first.value());
      }
      // The event is published right after the first caller gets the token.
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(events)
                      .filteredOn(e -> e instanceof IamAuthEvent.TokenIssued)
                      .hasSize(1));
      assertThat(DriverLeases.size()).isEqualTo(1);

      token("us-east-1", "other");
      token("eu-west-1", "app");
      assertThat(DriverLeases.size()).isEqualTo(3);
    } finally {
      DriverLeases.removeListener(listener);
    }
  }

  @Test
  void equalSettingsShareTheCoresProviderWithOtherWaysIn() {
    AuthToken driver = token("us-east-1", "app");
    // The same credentials provider instance (one per class name) and target: the same provider.
    IamAuthConfig same =
        IamAuthConfig.builder()
            .target(IamTarget.rds("localhost", 5432, "app"))
            .region("us-east-1")
            .credentialsProvider(Credentials.ofClass(ExampleCredentialsProvider.class.getName()))
            .build();
    try (IamTokenProvider.Lease lease = IamTokenProvider.shared(same)) {
      assertThat(lease.provider().token().value()).isEqualTo(driver.value());
    }
  }

  @Test
  void staysBoundedClosingTheLeastRecentlyUsedLease() {
    AuthToken u0 = token("us-east-1", "u0");
    for (int i = 1; i < DriverLeases.MAX_LEASES + 5; i++) {
      token("us-east-1", "u" + i);
    }
    assertThat(DriverLeases.size()).isEqualTo(DriverLeases.MAX_LEASES);
    // The evicted lease was the last on its provider, so the provider was closed: a new one
    // signs a new token on demand.
    IamAuthConfig u0Config =
        IamAuthConfig.builder()
            .target(IamTarget.rds("localhost", 5432, "u0"))
            .region("us-east-1")
            .credentialsProvider(Credentials.ofClass(ExampleCredentialsProvider.class.getName()))
            .build();
    try (IamTokenProvider.Lease lease = IamTokenProvider.shared(u0Config)) {
      assertThat(lease.provider().isClosed()).isFalse();
      assertThat(lease.provider().token()).isNotSameAs(u0);
    }
    assertThat(token("us-east-1", "u0")).isNotNull();
  }

  /** Credentials that always fail, counting the calls. */
  public static final class FailingCredentials implements AwsCredentialsProvider {
    static final java.util.concurrent.atomic.AtomicInteger CALLS =
        new java.util.concurrent.atomic.AtomicInteger();

    /** Made by class name. */
    public FailingCredentials() {}

    @Override
    public AwsCredentials resolveCredentials() {
      CALLS.incrementAndGet();
      throw new IllegalStateException("the credential source is down");
    }
  }

  @Test
  void aProviderWithNoTokenToGiveIsLetGoSoNothingRetriesForNobody() {
    Properties p = props("us-east-1", "app");
    p.setProperty("iamCredentialsProvider", FailingCredentials.class.getName());
    PropertySettings s = PropertySettings.read(Lookup.of(null, p));
    ConnectionPlan plan =
        ConnectionPlan.forEndpoint(
            Engine.POSTGRESQL, "localhost", 5432, p, s.plan(), ConnectionPlan.Tls.COMPLETE, "url");
    assertThatThrownBy(() -> DriverLeases.token(plan, s))
        .isInstanceOf(TokenUnavailableException.class);
    assertThat(DriverLeases.size()).isZero();
    // The only lease was given back, so the provider is closed: a new lease gets a new provider.
    IamAuthConfig same =
        IamAuthConfig.builder()
            .target(IamTarget.rds("localhost", 5432, "app"))
            .region("us-east-1")
            .credentialsProvider(Credentials.ofClass(FailingCredentials.class.getName()))
            .build();
    try (IamTokenProvider.Lease lease = IamTokenProvider.shared(same)) {
      assertThat(lease.provider().isClosed()).isFalse();
      assertThat(lease.provider().toString()).contains("no token yet");
    }
  }

  @Test
  void aHostWithoutRegionGivesOneProblemNamingIamRegion() {
    assertThatThrownBy(() -> token(null, "app"))
        .isInstanceOfSatisfying(
            IamConfigurationException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .asString()
                    .startsWith("iamRegion: could not be determined")
                    .contains("iamRegion=us-east-1")
                    .doesNotContain("region(\"us-east-1\")"));
  }
}
