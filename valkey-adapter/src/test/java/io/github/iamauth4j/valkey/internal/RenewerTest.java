package io.github.iamauth4j.valkey.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.RenewalPolicy;
import io.valkey.Connection;
import io.valkey.commands.ProtocolCommand;
import io.valkey.exceptions.JedisAccessControlException;
import io.valkey.exceptions.JedisConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** When a pooled connection is re-authenticated or retired, on a clock the test moves. */
class RenewerTest {
  private static final Duration INTERVAL = Duration.ofMinutes(60);
  private static final Duration MAX_AGE = Duration.ofHours(6);

  private final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final List<IamAuthEvent> events = new CopyOnWriteArrayList<>();
  private final IamTokenProvider tokens =
      IamTokenProvider.builder()
          .target(IamTarget.elastiCache("orders", "app"))
          .region("us-east-1")
          .credentialsProvider(
              StaticCredentialsProvider.create(
                  AwsBasicCredentials.create(
                      "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")))
          .clock(clock)
          .listener(events::add)
          .build();
  // No jitter, so the instants are exact.
  private final Renewer renewer =
      new Renewer(
          tokens,
          RenewalPolicy.builder()
              .reauthenticationInterval(INTERVAL)
              .reauthenticationJitter(Duration.ZERO)
              .maxConnectionAge(MAX_AGE)
              .maxConnectionAgeJitter(Duration.ZERO)
              .build());

  @AfterEach
  void close() {
    tokens.close();
  }

  @Test
  void aConnectionOpenedJustNowIsReauthenticatedAfterTheIntervalNotBefore() {
    tokens.token();
    FakeConnection c = new FakeConnection();

    assertThat(renewer.renew(c, clock.instant())).isTrue();
    clock.move(INTERVAL.minusSeconds(1));
    tokens.token();
    assertThat(renewer.renew(c, null)).isTrue();
    assertThat(c.auths).as("AUTHs before the interval").isEmpty();

    clock.move(Duration.ofSeconds(1));
    tokens.token();
    assertThat(renewer.renew(c, null)).isTrue();

    assertThat(c.auths).hasSize(1);
    assertThat(c.auths.get(0)).startsWith("app orders/?");
    assertThat(events)
        .anySatisfy(e -> assertThat(e).isInstanceOf(IamAuthEvent.ConnectionReauthenticated.class));
  }

  @Test
  void aConnectionFirstSeenWithoutItsOpeningTimeIsReauthenticatedAtOnce() {
    tokens.token();
    FakeConnection c = new FakeConnection();

    assertThat(renewer.renew(c, null)).isTrue();

    assertThat(c.auths).as("AUTH at first sight (also proves it alive)").hasSize(1);
  }

  @Test
  void regularReauthenticationNeverRetiresButAConnectionNotReauthenticatedForItsMaxAgeIs() {
    tokens.token();
    FakeConnection renewed = new FakeConnection();
    FakeConnection held = new FakeConnection();
    renewer.renew(renewed, clock.instant());
    renewer.renew(held, clock.instant());

    // Twelve hours: the renewed one at every interval; the held one never visited (borrowed).
    for (int hour = 1; hour <= 12; hour++) {
      clock.move(INTERVAL);
      tokens.token(); // a fresh token in the cache (the refresh runs on real time)
      assertThat(renewer.renew(renewed, null)).as("renewed, hour " + hour).isTrue();
    }

    assertThat(renewed.auths).hasSize(12);
    assertThat(renewer.renew(held, null)).as("the held connection, 12 h unauthenticated").isFalse();
    assertThat(held.auths).as("no AUTH on a connection that must retire").isEmpty();
    assertThat(events).filteredOn(e -> e instanceof IamAuthEvent.ConnectionRetired).hasSize(1);
  }

  @Test
  void aRefusedReauthenticationKeepsTheConnectionAndRetriesSoonADeadOneIsDiscarded() {
    tokens.token();
    FakeConnection refused = new FakeConnection();
    refused.reply = new JedisAccessControlException("WRONGPASS invalid username-password pair");
    FakeConnection dead = new FakeConnection();
    dead.reply = new JedisConnectionException("Unexpected end of stream.");

    assertThat(renewer.renew(refused, null)).as("refused: still authenticated as before").isTrue();
    assertThat(renewer.renew(dead, null)).as("dead: discard").isFalse();
    assertThat(renewer.renew(refused, null)).as("not retried at once").isTrue();
    assertThat(refused.auths).hasSize(1);
    clock.move(INTERVAL.dividedBy(10));
    renewer.renew(refused, null);
    assertThat(refused.auths).as("retried after a tenth of the interval").hasSize(2);
    assertThat(events)
        .filteredOn(e -> e instanceof IamAuthEvent.ReauthenticationFailed)
        .hasSize(3)
        .allSatisfy(e -> assertThat(e.toString()).doesNotContain("X-Amz-Signature"));
  }

  @Test
  void checkOutDiscardsRetiringConnectionsAndHandsOutAFreshOne() {
    tokens.token();
    FakeConnection old = new FakeConnection();
    renewer.renew(old, clock.instant());
    clock.move(MAX_AGE);
    tokens.token();
    List<Connection> pool = new ArrayList<>(List.of(old, new FakeConnection()));
    List<Connection> discarded = new ArrayList<>();

    Connection lent = renewer.checkOut(() -> pool.remove(0), c -> c, discarded::add);

    assertThat(discarded).containsExactly(old);
    assertThat(lent).isNotSameAs(old);
  }

  /** A connection that records AUTH and answers as told, without a socket. */
  static final class FakeConnection extends Connection {
    final List<String> auths = new ArrayList<>();
    RuntimeException reply;

    @Override
    public void sendCommand(ProtocolCommand cmd, String... args) {
      auths.add(String.join(" ", args));
    }

    @Override
    public String getStatusCodeReply() {
      if (reply != null) {
        throw reply;
      }
      return "OK";
    }
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
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
