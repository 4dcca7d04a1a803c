package io.github.iamauth4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.iamauth4j.core.ConnectionCredentials.Mode;
import io.github.iamauth4j.core.IamAuthEvent.PasswordFallback.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IAM first, the password when IAM cannot be used, on a mutable clock and a manual scheduler. */
class PasswordFallbacksTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  static final String PASSWORD = "legacy-Pa55word-never-logged";

  final MutableClock clock = new MutableClock(T0);
  final ManualScheduler scheduler = new ManualScheduler(clock);
  final FakeCredentials creds = FakeCredentials.basic();
  final List<IamAuthEvent> events = new CopyOnWriteArrayList<>();
  final AtomicReference<String> password = new AtomicReference<>(PASSWORD);
  IamTokenProvider tokens = provider(FallbackPassword.fromSupplier("app-legacy", password::get));

  IamTokenProvider provider(FallbackPassword fallback) {
    return IamTokenProvider.create(
        IamAuthConfig.builder()
            .target(IamTarget.elastiCache("orders", "app"))
            .region("us-east-1")
            .credentialsProvider(creds)
            .clock(clock)
            .scheduler(scheduler)
            .firstTokenTimeout(Duration.ofMillis(200))
            .retryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30))
            .listener(events::add)
            .passwordFallback(
                fallback == null ? null : fallback.retryIamAfter(Duration.ofSeconds(60)))
            .build());
  }

  @AfterEach
  void close() {
    tokens.close();
  }

  private List<IamAuthEvent.PasswordFallback> fallbacks() {
    return events.stream()
        .filter(IamAuthEvent.PasswordFallback.class::isInstance)
        .map(IamAuthEvent.PasswordFallback.class::cast)
        .toList();
  }

  private void failCredentialsPastTheTokensLife() {
    creds.fail(new IllegalStateException("credentials gone"));
    clock.advance(Duration.ofMinutes(16));
    scheduler.runDue();
  }

  @Test
  void withIamWorkingEveryConnectionIsOnIamAndNothingFallsBack() {
    tokens.prefetch();
    scheduler.runPending();
    PasswordFallbacks f = tokens.passwordFallbacks();
    ConnectionCredentials c = f.credentials("c1");
    ConnectionCredentials a = f.credentialsAsync("c2").join();

    assertThat(c.mode()).isEqualTo(Mode.IAM);
    assertThat(c.user()).isEqualTo("app");
    assertThat(c.secret()).startsWith("orders/");
    assertThat(a.isIam()).isTrue();
    assertThat(fallbacks()).isEmpty();
    assertThat(tokens.signingStats().tokensSigned()).isEqualTo(1);
    assertThat(tokens.signingStats().totalTime()).isPositive();
    assertThat(f.stats().totalFallbacks()).isZero();
  }

  @Test
  void noUsableTokenFallsBackToThePasswordAndReportsItWithoutTheSecret() {
    tokens.prefetch();
    scheduler.runPending();
    failCredentialsPastTheTokensLife();
    PasswordFallbacks f = tokens.passwordFallbacks();

    ConnectionCredentials c = f.credentials("c1");
    ConnectionCredentials a = f.credentialsAsync("c2").join();

    assertThat(c.mode()).isEqualTo(Mode.PASSWORD);
    assertThat(c.user()).isEqualTo("app-legacy");
    assertThat(c.secret()).isEqualTo(PASSWORD);
    assertThat(c.reason()).isEqualTo(Reason.NO_USABLE_TOKEN);
    assertThat(a.mode()).isEqualTo(Mode.PASSWORD);
    assertThat(fallbacks()).hasSize(2);
    assertThat(fallbacks().get(0).reason()).isEqualTo(Reason.NO_USABLE_TOKEN);
    assertThat(fallbacks().get(0).user()).isEqualTo("app-legacy");
    assertThat(f.stats().fallbacks()).containsEntry(Reason.NO_USABLE_TOKEN, 2L);
    assertThat(events.toString() + c + f).doesNotContain(PASSWORD);

    // Credentials back: as soon as a fetch succeeds (one is started by the connections asking),
    // connections are on IAM again, with no wait for a set-aside period.
    creds.succeed();
    clock.advance(Duration.ofSeconds(2));
    f.credentialsAsync("c3");
    scheduler.runDue();
    assertThat(f.credentials("c4").isIam()).isTrue();
  }

  @Test
  void aRefusedTokenSetsIamAsideUntilItsRetryTimeThenIamIsTriedAgain() {
    tokens.prefetch();
    scheduler.runPending();
    PasswordFallbacks f = tokens.passwordFallbacks();
    assertThat(f.credentials("c1").isIam()).isTrue();

    ConnectionCredentials retry =
        f.refused("c1", new RuntimeException("WRONGPASS invalid username-password pair"));

    assertThat(retry).isNotNull();
    assertThat(retry.mode()).isEqualTo(Mode.PASSWORD);
    assertThat(retry.reason()).isEqualTo(Reason.TOKEN_REFUSED);
    assertThat(f.iamSetAsideUntil()).isEqualTo(T0.plusSeconds(60));
    // New connections go straight to the password while IAM is set aside.
    ConnectionCredentials next = f.credentialsAsync("c2").join();
    assertThat(next.mode()).isEqualTo(Mode.PASSWORD);
    assertThat(fallbacks().get(1).detail()).contains("WRONGPASS");

    clock.advance(Duration.ofSeconds(60));
    assertThat(f.iamSetAsideUntil()).isNull();
    assertThat(f.credentials("c3").isIam()).isTrue();
    assertThat(f.stats().fallbacks()).containsEntry(Reason.TOKEN_REFUSED, 2L);
  }

  @Test
  void sessionsCountConnectionsOnIamAndOnThePasswordAsTheyMove() {
    tokens.prefetch();
    scheduler.runPending();
    PasswordFallbacks f = tokens.passwordFallbacks();
    PasswordFallbacks.Session s1 = f.opened("c1", f.credentials("c1"));
    PasswordFallbacks.Session s2 =
        f.opened("c2", f.refused("c2", new RuntimeException("WRONGPASS")));
    assertThat(f.stats().openOnIam()).isEqualTo(1);
    assertThat(f.stats().openOnPassword()).isEqualTo(1);

    clock.advance(Duration.ofMinutes(2));
    s2.authenticated(f.credentials("c2")); // re-authenticated on IAM: back to 100 % IAM
    assertThat(f.stats().openOnIam()).isEqualTo(2);
    assertThat(f.stats().openOnPassword()).isZero();

    s1.close();
    s1.close();
    assertThat(f.stats().openOnIam()).isEqualTo(1);
    assertThat(f.stats().iamAuthentications()).isEqualTo(2);
    assertThat(f.stats().passwordAuthentications()).isEqualTo(1);
  }

  @Test
  void withoutAFallbackNothingChanges() {
    tokens.close();
    tokens = provider(null);
    PasswordFallbacks f = tokens.passwordFallbacks();
    tokens.prefetch();
    scheduler.runPending();
    failCredentialsPastTheTokensLife();

    assertThat(f.enabled()).isFalse();
    assertThat(f.refused("c1", new RuntimeException("WRONGPASS"))).isNull();
    assertThatThrownBy(() -> f.credentials("c1")).isInstanceOf(TokenUnavailableException.class);
    CompletableFuture<ConnectionCredentials> a = f.credentialsAsync("c2");
    assertThat(a).isCompletedExceptionally();
    assertThat(fallbacks()).isEmpty();
  }

  @Test
  void aPasswordThatCannotBeReadFailsWithBothReasonsAndNoSecret() {
    tokens.prefetch();
    scheduler.runPending();
    failCredentialsPastTheTokensLife();
    password.set("");

    assertThatThrownBy(() -> tokens.passwordFallbacks().credentials("c1"))
        .isInstanceOf(TokenUnavailableException.class)
        .hasMessageContaining("IAM cannot be used")
        .hasMessageContaining("app-legacy")
        .hasMessageContaining("empty or missing");
    assertThat(fallbacks()).isEmpty();
  }

  @Test
  void theAsyncFormGivesUpOnASlowTokenAfterTheFirstTokenTimeoutAndFallsBack() throws Exception {
    PasswordFallbacks f = tokens.passwordFallbacks();
    // No token yet and the fetch never runs (the manual scheduler holds it): the timer decides.
    CompletableFuture<ConnectionCredentials> c = f.credentialsAsync("c1");
    assertThat(c).isNotDone();
    clock.advance(Duration.ofMillis(200));
    scheduler.runDueTimersOnly();
    assertThat(c.join().mode()).isEqualTo(Mode.PASSWORD);
    assertThat(c.join().reason()).isEqualTo(Reason.NO_USABLE_TOKEN);
  }

  @Test
  void fallbackSourcesAreCheckedAtBuildAndNeverShowTheirValue(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("pw");
    Files.writeString(file, PASSWORD + "\n");
    FallbackPassword fromFile = FallbackPassword.fromFile("app-legacy", file);
    assertThat(fromFile.password()).isEqualTo(PASSWORD);
    assertThat(fromFile.toString()).contains("app-legacy").doesNotContain(PASSWORD);

    IamAuthConfig.Builder b =
        IamAuthConfig.builder()
            .target(IamTarget.elastiCache("orders", "app"))
            .region("us-east-1")
            .credentialsProvider(creds)
            .passwordFallback(
                FallbackPassword.fromEnvironment("app-legacy", "IAMAUTH4J_SURELY_UNSET_VARIABLE"));
    assertThatThrownBy(b::build)
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("passwordFallback: environment variable")
        .hasMessageContaining("IAMAUTH4J_SURELY_UNSET_VARIABLE");
    b.passwordFallback(FallbackPassword.fromFile("app-legacy", dir.resolve("missing")));
    assertThatThrownBy(b::build).hasMessageContaining("is not readable");
    assertThatThrownBy(() -> FallbackPassword.fromFile("bad user", file))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("passwordFallback user");
    IamAuthConfig config = b.passwordFallback(fromFile).build();
    assertThat(config.toString()).contains("FallbackPassword").doesNotContain(PASSWORD);
    // Equal fallbacks share one provider; different ones do not.
    assertThat(config.sharingKey())
        .isEqualTo(
            config.toBuilder()
                .passwordFallback(FallbackPassword.fromFile("app-legacy", file))
                .build()
                .sharingKey());
    assertThat(config.sharingKey())
        .isNotEqualTo(config.toBuilder().passwordFallback(null).build().sharingKey());
  }
}
