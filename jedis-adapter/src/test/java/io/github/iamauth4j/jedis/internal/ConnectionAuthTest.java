package io.github.iamauth4j.jedis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.iamauth4j.core.ConnectionCredentials;
import io.github.iamauth4j.core.ConnectionCredentials.Mode;
import io.github.iamauth4j.core.ConnectionRenewals;
import io.github.iamauth4j.core.FallbackPassword;
import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamAuthEvent.PasswordFallback.Reason;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.PasswordFallbacks;
import io.github.iamauth4j.core.RenewalPolicy;
import io.github.iamauth4j.core.TokenUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;

/**
 * What a pooled connection re-authenticates with, on a clock the test moves: the token as before
 * without a fallback; with one, the password after a refused token or when no usable token remains,
 * staying on it while IAM is set aside, and IAM again afterwards.
 */
class ConnectionAuthTest {
  private static final Duration INTERVAL = Duration.ofMinutes(60);
  private static final Duration RETRY_IAM = Duration.ofMinutes(1);
  private static final String PASSWORD = "legacy-password";
  private static final JedisAccessControlException WRONGPASS =
      new JedisAccessControlException(
          "WRONGPASS invalid username-password pair or user is disabled.");

  private final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final List<IamAuthEvent> events = new CopyOnWriteArrayList<>();
  private final AtomicBoolean credentialsGone = new AtomicBoolean();
  private @Nullable IamTokenProvider tokens;

  @AfterEach
  void close() {
    if (tokens != null) {
      tokens.close();
    }
  }

  private ConnectionAuth opened(boolean withFallback) {
    IamAuthConfig.Builder config =
        IamAuthConfig.builder()
            .target(IamTarget.elastiCache("orders", "app"))
            .region("us-east-1")
            .credentialsProvider(
                () -> {
                  if (credentialsGone.get()) {
                    throw new IllegalStateException("credentials gone");
                  }
                  return AwsBasicCredentials.create(
                      "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
                })
            .clock(clock)
            .listener(events::add);
    if (withFallback) {
      config.passwordFallback(
          FallbackPassword.fromSupplier("app-legacy", () -> PASSWORD).retryIamAfter(RETRY_IAM));
    }
    IamTokenProvider t = IamTokenProvider.create(config.build());
    tokens = t;
    ConnectionRenewals renewals =
        ConnectionRenewals.of(
            t,
            RenewalPolicy.builder()
                .reauthenticationInterval(INTERVAL)
                .reauthenticationJitter(Duration.ZERO)
                .build());
    return new ConnectionAuth(
        renewals, "connection #1", t.passwordFallbacks().credentials("connection #1"));
  }

  private PasswordFallbacks.Stats stats() {
    return tokens.passwordFallbacks().stats();
  }

  @Test
  void withoutAFallbackATokenWhenDueAndARefusalReportedAsBefore() {
    ConnectionAuth auth = opened(false);
    assertThat(auth.due()).as("not due yet").isNull();

    clock.move(INTERVAL);
    tokens.token();
    ConnectionCredentials due = auth.due();
    assertThat(due).isNotNull();
    assertThat(due.mode()).isEqualTo(Mode.IAM);
    assertThat(auth.refused(due, WRONGPASS)).as("nothing to retry with").isNull();
    assertThat(events)
        .anySatisfy(e -> assertThat(e).isInstanceOf(IamAuthEvent.ReauthenticationFailed.class));
    assertThat(auth.due()).as("retried later").isNull();
    assertThat(stats().totalFallbacks()).isZero();
  }

  @Test
  void aRefusedTokenGivesThePasswordWhichStaysUntilIamMayBeTriedAgain() {
    ConnectionAuth auth = opened(true);
    clock.move(INTERVAL);
    tokens.token();

    ConnectionCredentials token = auth.due();
    assertThat(token.isIam()).isTrue();
    ConnectionCredentials password = auth.refused(token, WRONGPASS);
    assertThat(password).isNotNull();
    assertThat(password.mode()).isEqualTo(Mode.PASSWORD);
    assertThat(password.user()).isEqualTo("app-legacy");
    auth.accepted(password);
    assertThat(auth.onPassword()).isTrue();
    assertThat(stats().openOnPassword()).isEqualTo(1);
    assertThat(stats().openOnIam()).isZero();

    clock.move(INTERVAL);
    tokens.token();
    ConnectionCredentials again = auth.due();
    assertThat(again.isIam()).as("IAM was set aside long ago: tried again").isTrue();
    assertThat(auth.refused(again, WRONGPASS)).as("already on the password: it stays").isNull();
    assertThat(auth.due()).as("IAM set aside again").isNull();

    clock.move(RETRY_IAM);
    ConnectionCredentials back = auth.due();
    assertThat(back.isIam()).isTrue();
    auth.accepted(back);
    assertThat(auth.onPassword()).isFalse();
    assertThat(stats().openOnIam()).isEqualTo(1);
    assertThat(stats().fallbacks()).containsEntry(Reason.TOKEN_REFUSED, 2L);

    auth.close();
    assertThat(stats().openOnIam()).isZero();
  }

  @Test
  void noUsableTokenGivesThePasswordToAConnectionOnIam() {
    ConnectionAuth auth = opened(true);
    credentialsGone.set(true);
    clock.move(INTERVAL); // past the token's life
    assertThatThrownBy(tokens::token).isInstanceOf(TokenUnavailableException.class);

    ConnectionCredentials password = auth.due();
    assertThat(password.mode()).isEqualTo(Mode.PASSWORD);
    assertThat(password.reason()).isEqualTo(Reason.NO_USABLE_TOKEN);
    auth.accepted(password);

    clock.move(INTERVAL);
    assertThat(auth.due()).as("stays on the password while no token can be had").isNull();
    assertThat(events)
        .filteredOn(e -> e instanceof IamAuthEvent.PasswordFallback)
        .hasSize(1)
        .allSatisfy(e -> assertThat(e.toString()).doesNotContain(PASSWORD));
  }

  /** A clock the test moves. */
  static final class MovableClock extends Clock {
    private volatile Instant now;

    MovableClock(Instant start) {
      this.now = start;
    }

    void move(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
