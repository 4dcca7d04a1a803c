package io.github.iamauth4j.jdbc.hikari;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.util.Credentials;
import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.InsecureConnectionException;
import io.github.iamauth4j.jdbc.IamJdbcConfig;
import io.github.iamauth4j.jdbc.MutableClock;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

class IamHikariTest {
  private static final IamJdbcConfig CONFIG =
      IamJdbcConfig.builder()
          .auth(
              IamAuthConfig.builder()
                  .region("us-east-1")
                  .credentialsProvider(TrustedCredentials.example().asProvider()))
          .build();

  private static HikariConfig hikari(String url) {
    HikariConfig h = new HikariConfig();
    h.setJdbcUrl(url);
    h.setUsername("app");
    return h;
  }

  @Test
  void setsVerifyFullAndTheCredentialsProviderWhenNothingIsGiven() {
    HikariConfig h = hikari("jdbc:postgresql://db1.abc.eu-west-1.rds.amazonaws.com:5432/app");
    try (IamHikariCredentialsProvider cp = IamHikari.configure(h, CONFIG)) {
      assertThat(h.getDataSourceProperties()).containsEntry("sslmode", "verify-full");
      assertThat(h.getCredentialsProvider()).isSameAs(cp);
      Credentials c = cp.getCredentials();
      assertThat(c.getUsername()).isEqualTo("app");
      assertThat(c.getPassword())
          .startsWith("db1.abc.eu-west-1.rds.amazonaws.com:5432/?Action=connect&DBUser=app");
      assertThat(cp.tokenProvider().region()).isEqualTo("us-east-1");
    }
  }

  @Test
  void keepsTheUsersTlsSettingsAndAddsTheCaBundle() {
    HikariConfig h = hikari("jdbc:mysql://localhost:3306/app?sslMode=VERIFY_CA");
    IamJdbcConfig c =
        CONFIG.toBuilder()
            .caBundle(io.github.iamauth4j.testkit.tls.TlsMaterial.localhost().caPemFile())
            .build();
    try (IamHikariCredentialsProvider cp = IamHikari.configure(h, c)) {
      assertThat(h.getDataSourceProperties())
          .doesNotContainKey("sslMode")
          .containsKey("trustCertificateKeyStoreUrl");
      assertThat(cp.tokenProvider().target().signedHost()).isEqualTo("localhost:3306");
    }
  }

  @Test
  void refusesPlaintextInTheUrlOrTheDataSourceProperties() {
    assertThatThrownBy(
            () -> IamHikari.configure(hikari("jdbc:postgresql://h/db?sslmode=disable"), CONFIG))
        .isInstanceOfSatisfying(
            InsecureConnectionException.class, e -> assertThat(e.setting()).isEqualTo("sslmode"));
    HikariConfig h = hikari("jdbc:mariadb://h/db");
    h.addDataSourceProperty("sslMode", "disable");
    assertThatThrownBy(() -> IamHikari.configure(h, CONFIG))
        .isInstanceOf(InsecureConnectionException.class);
    assertThat(h.getCredentialsProvider()).isNull();
  }

  @Test
  void refusesWhatItCannotCheckOrThatWouldOverrideTheToken() {
    assertThatThrownBy(() -> IamHikari.configure(new HikariConfig(), CONFIG))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("jdbcUrl: is required");
    assertThatThrownBy(
            () -> IamHikari.configure(hikari("jdbc:iamauth4j:postgresql://h/db"), CONFIG))
        .hasMessageContaining("jdbcUrl: is a jdbc:iamauth4j: URL");
    assertThatThrownBy(
            () -> IamHikari.configure(hikari("jdbc:postgresql://h/db?password=x"), CONFIG))
        .hasMessageContaining("password parameter");
    assertThatThrownBy(
            () -> IamHikari.configure(hikari("jdbc:postgresql://h/db?iamRegion=x"), CONFIG))
        .hasMessageContaining("iamRegion:");
    HikariConfig noUser = new HikariConfig();
    noUser.setJdbcUrl("jdbc:postgresql://localhost/db");
    assertThatThrownBy(() -> IamHikari.configure(noUser, CONFIG))
        .hasMessageContaining("user: is required")
        .hasMessageContaining("HikariConfig.setUsername");
  }

  /** Credentials that answer once, then block until released (IMDS or STS hanging). */
  private static final class HangingCredentials implements AwsCredentialsProvider {
    final AtomicInteger calls = new AtomicInteger();
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicBoolean releasedInTime = new AtomicBoolean(true);

    @Override
    public AwsCredentials resolveCredentials() {
      if (calls.incrementAndGet() > 1) {
        try {
          releasedInTime.compareAndSet(true, release.await(60, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return TrustedCredentials.example().asAwsCredentials();
    }
  }

  @Test
  void answersFromTheCacheWithoutWaitingWhileTheCredentialSourceHangs() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    HangingCredentials creds = new HangingCredentials();
    IamJdbcConfig c =
        IamJdbcConfig.builder()
            .auth(
                IamAuthConfig.builder().region("us-east-1").credentialsProvider(creds).clock(clock))
            .build();
    HikariConfig h = hikari("jdbc:postgresql://localhost:5432/db");
    try (IamHikariCredentialsProvider cp = IamHikari.configure(h, c)) {
      String first = cp.getCredentials().getPassword();
      // Into the refresh window: the refresh starts in the background and hangs there.
      clock.advance(Duration.ofMinutes(8));
      for (int i = 0; i < 1_000; i++) {
        assertThat(cp.getCredentials().getPassword()).isEqualTo(first);
      }
      creds.release.countDown();
      assertThat(creds.releasedInTime).isTrue();
      assertThat(creds.calls.get()).isBetween(1, 2);
    }
  }
}
