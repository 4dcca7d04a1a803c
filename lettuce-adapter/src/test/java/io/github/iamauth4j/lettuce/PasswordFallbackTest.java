package io.github.iamauth4j.lettuce;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.iamauth4j.core.ConnectionRenewals;
import io.github.iamauth4j.core.FallbackPassword;
import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamAuthEvent.PasswordFallback.Reason;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.RenewalPolicy;
import io.github.iamauth4j.lettuce.internal.LettuceFallback;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * The Lettuce adapter's choice between IAM and the fallback password (issue 13), on a mutable clock
 * and a scheduler the test drives: which credentials a handshake and each renewal get, what a
 * refusal changes, and that each move to the password is reported once.
 */
class PasswordFallbackTest {
  private static final String LEGACY = "legacy";
  private static final String PASSWORD = "the-legacy-password";
  private static final RuntimeException WRONGPASS =
      new RedisConnectionException(
          "Unable to connect to localhost:6379",
          new IllegalStateException(
              "WRONGPASS invalid username-password pair or user is disabled."));

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final FakeCredentials aws = new FakeCredentials();
  private final List<IamAuthEvent> events = new CopyOnWriteArrayList<>();
  private final RenewalPolicy policy =
      RenewalPolicy.builder()
          .reauthenticationInterval(Duration.ofMinutes(60))
          .reauthenticationJitter(Duration.ofMinutes(10))
          .build();
  private final IamTokenProvider tokens = tokens(true);
  private final IamRedisCredentialsProvider provider =
      new IamRedisCredentialsProvider(ConnectionRenewals.of(tokens, policy, scheduler));
  private final LettuceFallback fallback = provider.fallback();

  private IamTokenProvider tokens(boolean withFallback) {
    IamTokenProvider.Builder b =
        IamTokenProvider.builder()
            .target(IamTarget.elastiCache("orders", "app"))
            .region("us-east-1")
            .credentialsProvider(aws)
            .clock(clock)
            .scheduler(scheduler)
            .listener(events::add);
    IamTokenProvider plain = b.build();
    if (!withFallback) {
      return plain;
    }
    IamTokenProvider p =
        IamTokenProvider.create(
            plain.config().toBuilder()
                .passwordFallback(
                    FallbackPassword.fromSupplier(LEGACY, () -> PASSWORD)
                        .retryIamAfter(Duration.ofMinutes(1)))
                .build());
    plain.close();
    return p;
  }

  @AfterEach
  void close() {
    provider.close();
    tokens.close();
  }

  @Test
  void withoutAUsableTokenAConnectionGetsThePasswordReportedOnce() {
    aws.failWith(new IllegalStateException("no credentials in the chain"));
    var first = provider.resolveCredentials().toFuture();
    scheduler.runPending();

    RedisCredentials c = first.join();
    assertThat(c.getUsername()).isEqualTo(LEGACY);
    assertThat(new String(c.getPassword())).isEqualTo(PASSWORD);
    assertThat(c.toString()).doesNotContain(PASSWORD).contains("PASSWORD");
    assertThat(fallbacks())
        .singleElement()
        .satisfies(f -> assertThat(f.reason()).isEqualTo(Reason.NO_USABLE_TOKEN));
  }

  @Test
  void aRefusedTokenSetsIamAsideAndTheRetriedAttemptTakesThePasswordWithoutASecondReport() {
    assertThat(iamUser()).isEqualTo("app");

    assertThat(fallback.connectRefused("a connection", WRONGPASS)).isTrue();
    assertThat(fallbacks()).hasSize(1);
    // The retried attempt takes the password the refusal returned: no second report for it.
    assertThat(iamUser()).isEqualTo(LEGACY);
    assertThat(fallbacks()).hasSize(1);
    // Another connection while IAM is set aside: the password, reported for that connection.
    assertThat(iamUser()).isEqualTo(LEGACY);
    assertThat(fallbacks())
        .hasSize(2)
        .allSatisfy(f -> assertThat(f.reason()).isEqualTo(Reason.TOKEN_REFUSED));
    // A second refusal of an attempt that started before the first one set IAM aside: nothing new
    // to report, and connecting again gives the password.
    assertThat(fallback.connectRefused("a connection", WRONGPASS)).isTrue();
    assertThat(fallbacks()).hasSize(2);

    clock.advance(Duration.ofMinutes(1));
    assertThat(iamUser()).isEqualTo("app");
    assertThat(fallbacks()).hasSize(2);
  }

  @Test
  void onlyAWrongpassOfAnIamAttemptIsARefusal() {
    assertThat(fallback.connectRefused("c", new RedisConnectionException("Connection refused")))
        .isFalse();
    // No usable token: the attempt used the password, which was refused: nothing to retry.
    aws.failWith(new IllegalStateException("no credentials"));
    clock.advance(Duration.ofMinutes(20));
    scheduler.runPending();
    assertThat(fallback.connectRefused("c", WRONGPASS)).isFalse();
    assertThat(fallbacks()).isEmpty();

    IamTokenProvider plain = tokens(false);
    IamRedisCredentialsProvider withoutFallback =
        new IamRedisCredentialsProvider(ConnectionRenewals.of(plain, policy, scheduler));
    withoutFallback.resolveCredentials().toFuture();
    scheduler.runPending();
    assertThat(withoutFallback.fallback().connectRefused("c", WRONGPASS)).isFalse();
    plain.close();
  }

  @Test
  void renderingTheRedisUriMakesNoChoiceAndShowsNoSecret() {
    assertThat(iamUser()).isEqualTo("app");
    assertThat(fallback.connectRefused("c", WRONGPASS)).isTrue();
    assertThat(iamUser()).isEqualTo(LEGACY);
    int reported = fallbacks().size();

    // Lettuce 7 resolves the credentials to print the URI: no fallback is chosen or reported.
    String rendered =
        RedisURI.builder().withHost("localhost").withAuthentication(provider).build().toString();

    assertThat(rendered).contains("app:********@localhost").doesNotContain(PASSWORD);
    assertThat(fallbacks()).hasSize(reported);
  }

  @Test
  void whileIamIsSetAsideARenewalMovesAnIamConnectionToThePasswordAndLeavesAPasswordOneAlone() {
    assertThat(iamUser()).isEqualTo("app");
    List<RedisCredentials> iamConnection = new CopyOnWriteArrayList<>();
    Disposable a = provider.credentials().subscribe(iamConnection::add);
    assertThat(fallback.connectRefused("c", WRONGPASS)).isTrue();
    assertThat(iamUser()).isEqualTo(LEGACY);
    List<RedisCredentials> passwordConnection = new CopyOnWriteArrayList<>();
    Disposable b = provider.credentials().subscribe(passwordConnection::add);
    assertThat(tokens.passwordFallbacks().stats().openOnIam()).isEqualTo(1);
    assertThat(tokens.passwordFallbacks().stats().openOnPassword()).isEqualTo(1);

    // The first renewals come 50 to 60 minutes after subscribing: keep IAM set aside until then.
    for (int i = 0; i < 122; i++) {
      refuseAgain();
      scheduler.advance(Duration.ofSeconds(30));
    }
    // Each had its renewal while IAM was set aside: the IAM one moved, the password one stayed.
    assertThat(iamConnection)
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.getUsername()).isEqualTo(LEGACY));
    assertThat(passwordConnection).isEmpty();
    assertThat(tokens.passwordFallbacks().stats().openOnPassword()).isEqualTo(2);

    // IAM is tried again at the next renewals: both move to IAM.
    scheduler.advance(Duration.ofHours(1));
    assertThat(last(iamConnection).getUsername()).isEqualTo("app");
    assertThat(last(passwordConnection).getUsername()).isEqualTo("app");
    assertThat(tokens.passwordFallbacks().stats().openOnIam()).isEqualTo(2);

    a.dispose();
    b.dispose();
    assertThat(tokens.passwordFallbacks().stats().openOnIam()).isZero();
  }

  @Test
  void aRefusedReauthenticationMovesTheConnectionThatSentIamToThePasswordAtOnce() {
    assertThat(iamUser()).isEqualTo("app");
    List<RedisCredentials> received = new CopyOnWriteArrayList<>();
    Disposable d = provider.credentials().subscribe(received::add);
    scheduler.advance(Duration.ofMinutes(60));
    assertThat(received)
        .singleElement()
        .satisfies(c -> assertThat(c.getUsername()).isEqualTo("app"));

    fallback.reauthenticationRefused("Lettuce connection 0x1", WRONGPASS);

    assertThat(received).hasSize(2);
    assertThat(last(received).getUsername()).isEqualTo(LEGACY);
    assertThat(fallbacks())
        .singleElement()
        .satisfies(f -> assertThat(f.reason()).isEqualTo(Reason.TOKEN_REFUSED));
    assertThat(tokens.passwordFallbacks().stats().openOnPassword()).isEqualTo(1);
    // A refusal of the password itself afterwards: no connection sent IAM, nothing happens.
    fallback.reauthenticationRefused("Lettuce connection 0x1", WRONGPASS);
    assertThat(received).hasSize(2);
    d.dispose();
  }

  @Test
  void aRenewalWithoutAUsableTokenMovesAnIamConnectionToThePassword() {
    assertThat(iamUser()).isEqualTo("app");
    List<RedisCredentials> received = new CopyOnWriteArrayList<>();
    Disposable d = provider.credentials().subscribe(received::add);

    aws.failWith(new IllegalStateException("IMDS unreachable"));
    scheduler.advance(Duration.ofMinutes(70));

    assertThat(received).isNotEmpty();
    assertThat(last(received).getUsername()).isEqualTo(LEGACY);
    assertThat(fallbacks())
        .singleElement()
        .satisfies(f -> assertThat(f.reason()).isEqualTo(Reason.NO_USABLE_TOKEN));
    // It stays on the password, without a report per retry, until a token can be had again.
    scheduler.advance(Duration.ofMinutes(30));
    assertThat(fallbacks()).hasSize(1);
    aws.failWith(null);
    scheduler.advance(Duration.ofMinutes(10));
    assertThat(last(received).getUsername()).isEqualTo("app");
    d.dispose();
  }

  private void refuseAgain() {
    // IAM set aside for another minute, by a refusal seen now.
    tokens.passwordFallbacks().refused("another connection", WRONGPASS);
  }

  private String iamUser() {
    var c = provider.resolveCredentials().toFuture();
    scheduler.runPending();
    return c.join().getUsername();
  }

  private static RedisCredentials last(List<RedisCredentials> list) {
    return list.get(list.size() - 1);
  }

  private List<IamAuthEvent.PasswordFallback> fallbacks() {
    return events.stream()
        .filter(e -> e instanceof IamAuthEvent.PasswordFallback)
        .map(e -> (IamAuthEvent.PasswordFallback) e)
        .toList();
  }
}
