package io.github.iamauth4j.valkey.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.iamauth4j.core.ConnectionCredentials;
import io.github.iamauth4j.core.FallbackPassword;
import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamAuthEvent.PasswordFallback.Reason;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.PasswordFallbacks;
import io.github.iamauth4j.core.RefreshScheduler;
import io.github.iamauth4j.core.RenewalPolicy;
import io.github.iamauth4j.core.TokenUnavailableException;
import io.valkey.Connection;
import io.valkey.HostAndPort;
import io.valkey.commands.ProtocolCommand;
import io.valkey.exceptions.JedisAccessControlException;
import io.valkey.exceptions.JedisConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.EvictionConfig;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * When a pooled connection is re-authenticated or retired, and when a subscribed one is, on a clock
 * the test moves; and that {@code open()} counts each connection from tracking to destruction.
 */
class RenewerTest {
  private static final Duration INTERVAL = Duration.ofMinutes(60);
  private static final Duration MAX_AGE = Duration.ofHours(6);
  private static final HostAndPort NODE = new HostAndPort("orders.example", 6379);

  private final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final List<IamAuthEvent> events = new CopyOnWriteArrayList<>();
  private final IamTokenProvider tokens =
      IamTokenProvider.create(
          IamAuthConfig.builder()
              .target(IamTarget.elastiCache("orders", "app"))
              .region("us-east-1")
              .credentialsProvider(
                  StaticCredentialsProvider.create(
                      AwsBasicCredentials.create(
                          "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")))
              .clock(clock)
              .listener(events::add)
              .build());
  private final ManualTimers timers = new ManualTimers(clock);
  // No jitter, so the instants are exact.
  private final Renewer renewer =
      new Renewer(
          tokens,
          RenewalPolicy.builder()
              .reauthenticationInterval(INTERVAL)
              .reauthenticationJitter(Duration.ZERO)
              .maxConnectionAge(MAX_AGE)
              .maxConnectionAgeJitter(Duration.ZERO)
              .build(),
          timers);

  @AfterEach
  void close() {
    tokens.close();
  }

  /** A connection of the adapter's pools, tracked from its opening. */
  private TrackedConnection opened() {
    return new TrackedConnection(renewer.track(NODE, ConnectionCredentials.iam(tokens.token())));
  }

  private boolean renew(Connection c) {
    return Renewer.renew(c, renewer.authOf(c, c));
  }

  @Test
  void aConnectionOpenedJustNowIsReauthenticatedAfterTheIntervalNotBefore() {
    tokens.token();
    TrackedConnection c = opened();

    assertThat(renew(c)).isTrue();
    clock.move(INTERVAL.minusSeconds(1));
    tokens.token();
    assertThat(renew(c)).isTrue();
    assertThat(c.auths).as("AUTHs before the interval").isEmpty();

    clock.move(Duration.ofSeconds(1));
    tokens.token();
    assertThat(renew(c)).isTrue();

    assertThat(c.auths).hasSize(1);
    assertThat(c.auths.get(0)).startsWith("app orders/?");
    assertThat(events)
        .anySatisfy(e -> assertThat(e).isInstanceOf(IamAuthEvent.ConnectionReauthenticated.class));
  }

  @Test
  void aConnectionOfAnAppsOwnPoolIsTrackedAtFirstSightAndReauthenticatedAtOnce() {
    tokens.token();
    FakeConnection c = new FakeConnection();

    assertThat(renew(c)).isTrue();
    assertThat(c.auths).as("AUTH at first sight (also proves it alive)").hasSize(1);
    assertThat(renew(c)).isTrue();
    assertThat(c.auths).as("then on its interval").hasSize(1);
    assertThat(renewer.renewals().open()).isEqualTo(1);

    renewer.destroyed(c, c);
    assertThat(renewer.renewals().open()).as("no longer counted once destroyed").isZero();
  }

  @Test
  void regularReauthenticationNeverRetiresButAConnectionNotReauthenticatedForItsMaxAgeIs() {
    tokens.token();
    TrackedConnection renewed = opened();
    TrackedConnection held = opened();

    // Twelve hours: the renewed one at every interval; the held one never visited (borrowed).
    for (int hour = 1; hour <= 12; hour++) {
      clock.move(INTERVAL);
      tokens.token(); // a fresh token in the cache (the refresh runs on real time)
      assertThat(renew(renewed)).as("renewed, hour " + hour).isTrue();
    }

    assertThat(renewed.auths).hasSize(12);
    assertThat(renew(held)).as("the held connection, 12 h unauthenticated").isFalse();
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

    assertThat(renew(refused)).as("refused: still authenticated as before").isTrue();
    assertThat(renew(dead)).as("dead: discard").isFalse();
    assertThat(renew(refused)).as("not retried at once").isTrue();
    assertThat(refused.auths).hasSize(1);
    clock.move(INTERVAL.dividedBy(10));
    renew(refused);
    assertThat(refused.auths).as("retried after a tenth of the interval").hasSize(2);
    assertThat(events)
        .filteredOn(e -> e instanceof IamAuthEvent.ReauthenticationFailed)
        .hasSize(3)
        .allSatisfy(e -> assertThat(e.toString()).doesNotContain("X-Amz-Signature"));
  }

  @Test
  void checkOutDiscardsRetiringConnectionsAndHandsOutAFreshOne() {
    tokens.token();
    TrackedConnection old = opened();
    clock.move(MAX_AGE);
    tokens.token();
    TrackedConnection fresh = opened();
    List<Connection> pool = new ArrayList<>(List.of(old, fresh));
    List<Connection> discarded = new ArrayList<>();

    Connection lent = renewer.checkOut(() -> pool.remove(0), c -> c, discarded::add);

    assertThat(discarded).containsExactly(old);
    assertThat(lent).isSameAs(fresh);
  }

  @Test
  void theEvictorEvictsARetiringConnectionAndKeepsARenewedOne() {
    tokens.token();
    RenewingEvictionPolicy<Connection> policy = new RenewingEvictionPolicy<>(renewer, c -> c);
    EvictionConfig keepIdle = new EvictionConfig(Duration.ofDays(1), Duration.ofDays(1), 0);
    TrackedConnection old = opened();
    FakeConnection foreign = new FakeConnection();
    clock.move(MAX_AGE);
    tokens.token();

    assertThat(policy.evict(keepIdle, new DefaultPooledObject<>(old), 2)).isTrue();
    assertThat(policy.evict(keepIdle, new DefaultPooledObject<>(foreign), 2)).isFalse();
    assertThat(foreign.auths).as("an app's connection, renewed at the first visit").hasSize(1);
    assertThat(renewer.renewals().open())
        .as("the evicted connection no longer counted, the app's one counted from its first visit")
        .isEqualTo(1);
  }

  @Test
  void aSubscribedConnectionIsReauthenticatedInBandOnItsIntervalThenClosedRatherThanPooled() {
    tokens.token();
    TrackedConnection c = opened();
    // Not due by itself, and the token not yet due for refresh either (a background refresh would
    // race the clock the test moves).
    clock.move(Duration.ofMinutes(5));

    renewer.runSubscribed(
        c,
        c.auth(),
        () -> true,
        () -> {
          assertThat(c.auths).as("renewed just before it blocks").hasSize(1);
          for (int i = 0; i < 3; i++) {
            clock.move(INTERVAL);
            tokens.token();
            timers.runDue();
          }
        });

    assertThat(c.auths).as("one before subscribing, one per interval while subscribed").hasSize(4);
    assertThat(c.flushedWithoutReading).as("replies left to the subscriber's reader").isEqualTo(3);
    assertThat(c.isBroken()).as("closed rather than pooled with a reply in flight").isTrue();
    assertThat(timers.pending()).as("the timer stops with the subscription").isZero();
  }

  @Test
  void aSubscriberNotYetReadingIsNotSentAuthUntilItIs() {
    tokens.token();
    TrackedConnection c = opened();
    AtomicBoolean reading = new AtomicBoolean(false);

    renewer.runSubscribed(
        c,
        c.auth(),
        reading::get,
        () -> {
          clock.move(INTERVAL);
          tokens.token();
          timers.runDue();
          assertThat(c.auths).as("nobody would read the reply").hasSize(1);
          reading.set(true);
          clock.move(renewer.renewals().retryDelay());
          tokens.token();
          timers.runDue();
        });

    assertThat(c.auths).hasSize(2);
  }

  // ---------------------------------------------------------------------------------------------
  // During a migration from passwords: a fallback password configured.

  private static final String LEGACY = "app-legacy";
  private static final String PASSWORD = "legacy-password";
  private static final Duration RETRY_IAM = Duration.ofMinutes(1);
  private final AtomicBoolean credentialsGone = new AtomicBoolean();
  private final IamTokenProvider migrating =
      IamTokenProvider.create(
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
              .listener(events::add)
              .passwordFallback(
                  FallbackPassword.fromSupplier(LEGACY, () -> PASSWORD).retryIamAfter(RETRY_IAM))
              .build());
  private final Renewer migratingRenewer =
      new Renewer(
          migrating,
          RenewalPolicy.builder()
              .reauthenticationInterval(INTERVAL)
              .reauthenticationJitter(Duration.ZERO)
              .maxConnectionAge(MAX_AGE)
              .maxConnectionAgeJitter(Duration.ZERO)
              .build(),
          timers);

  @AfterEach
  void closeMigrating() {
    migrating.close();
  }

  private long fallbackEvents() {
    return events.stream().filter(e -> e instanceof IamAuthEvent.PasswordFallback).count();
  }

  @Test
  void aTokenRefusedOnReauthenticationIsFollowedByThePasswordAndIamReturnsAfterTheWait() {
    TrackedConnection c =
        new TrackedConnection(
            migratingRenewer.track(NODE, ConnectionCredentials.iam(migrating.token())));
    c.refuses = auth -> auth.startsWith("app ");
    PasswordFallbacks fallbacks = migrating.passwordFallbacks();
    assertThat(fallbacks.stats().openOnIam()).isEqualTo(1);

    clock.move(INTERVAL);
    migrating.token();
    assertThat(Renewer.renew(c, c.auth())).isTrue();
    assertThat(c.auths).hasSize(2);
    assertThat(c.auths.get(0)).startsWith("app orders/?");
    assertThat(c.auths.get(1)).isEqualTo(LEGACY + " " + PASSWORD);
    assertThat(c.auth().onPassword()).isTrue();
    assertThat(fallbacks.stats().openOnPassword()).isEqualTo(1);
    assertThat(fallbacks.stats().openOnIam()).isZero();
    assertThat(fallbacks.stats().fallbacks()).containsEntry(Reason.TOKEN_REFUSED, 1L);

    assertThat(Renewer.renew(c, c.auth())).isTrue();
    assertThat(c.auths).as("stays on the password while IAM is set aside").hasSize(2);

    // Long past the maximum age: a connection on the password is not retired (no server limit);
    // IAM is tried again, refused again, and the connection stays as it is.
    clock.move(MAX_AGE);
    migrating.token();
    assertThat(Renewer.renew(c, c.auth())).as("not retired").isTrue();
    assertThat(c.auths).hasSize(3);
    assertThat(c.auths.get(2)).startsWith("app orders/?");
    assertThat(c.auth().onPassword()).isTrue();
    assertThat(fallbacks.stats().fallbacks()).containsEntry(Reason.TOKEN_REFUSED, 2L);

    // IAM fixed: tried again once it is no longer set aside.
    c.refuses = auth -> false;
    assertThat(Renewer.renew(c, c.auth())).isTrue();
    assertThat(c.auths).as("IAM still set aside").hasSize(3);
    clock.move(RETRY_IAM);
    migrating.token();
    assertThat(Renewer.renew(c, c.auth())).isTrue();
    assertThat(c.auths).hasSize(4);
    assertThat(c.auths.get(3)).startsWith("app orders/?");
    assertThat(c.auth().onPassword()).isFalse();
    assertThat(fallbacks.stats().openOnIam()).isEqualTo(1);
    assertThat(fallbacks.stats().openOnPassword()).isZero();
    assertThat(fallbackEvents()).as("each fallback reported once").isEqualTo(2);
    assertThat(events).allSatisfy(e -> assertThat(e.toString()).doesNotContain(PASSWORD));

    migratingRenewer.destroyed(c, c);
    assertThat(fallbacks.stats().openOnIam()).as("no longer counted once destroyed").isZero();
  }

  @Test
  void noUsableTokenMovesAConnectionToThePasswordBeforeTheLimitAndBackOnceTokensReturn() {
    TrackedConnection c =
        new TrackedConnection(
            migratingRenewer.track(NODE, ConnectionCredentials.iam(migrating.token())));
    credentialsGone.set(true);
    clock.move(INTERVAL); // past the token's life
    assertThatThrownBy(migrating::token).isInstanceOf(TokenUnavailableException.class);

    assertThat(Renewer.renew(c, c.auth())).isTrue();
    assertThat(c.auths).containsExactly(LEGACY + " " + PASSWORD);
    assertThat(c.auth().onPassword()).isTrue();
    assertThat(migrating.passwordFallbacks().stats().fallbacks())
        .containsEntry(Reason.NO_USABLE_TOKEN, 1L);

    clock.move(INTERVAL);
    assertThat(Renewer.renew(c, c.auth())).isTrue();
    assertThat(c.auths).as("stays on the password while no token can be had").hasSize(1);

    credentialsGone.set(false);
    Awaitility.await("a token again")
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              // Time on, so that asking again starts a fetch at once.
              clock.move(Duration.ofSeconds(1));
              CompletableFuture<?> f = migrating.tokenAsync();
              return f.isDone() && !f.isCompletedExceptionally();
            });
    assertThat(Renewer.renew(c, c.auth())).isTrue();
    assertThat(c.auths).hasSize(2);
    assertThat(c.auths.get(1)).startsWith("app orders/?");
    assertThat(c.auth().onPassword()).isFalse();
    assertThat(fallbackEvents()).isEqualTo(1);
  }

  /** A connection that records AUTH and answers as told, without a socket: an app's pool's. */
  static class FakeConnection extends Connection {
    final List<String> auths = new ArrayList<>();
    RuntimeException reply;
    Predicate<String> refuses = auth -> false;
    int flushedWithoutReading;

    @Override
    public void sendCommand(ProtocolCommand cmd, String... args) {
      auths.add(String.join(" ", args));
    }

    @Override
    public String getStatusCodeReply() {
      if (reply != null) {
        throw reply;
      }
      if (!auths.isEmpty() && refuses.test(auths.get(auths.size() - 1))) {
        throw new JedisAccessControlException(
            "WRONGPASS invalid username-password pair or user is disabled.");
      }
      return "OK";
    }

    @Override
    public List<Object> getMany(int count) {
      flushedWithoutReading++;
      return List.of();
    }
  }

  /** As made by the adapter's pools: tracked since it opened. */
  static final class TrackedConnection extends FakeConnection implements Renewer.Tracked {
    private final ConnectionAuth auth;

    TrackedConnection(ConnectionAuth auth) {
      this.auth = auth;
    }

    @Override
    public ConnectionAuth auth() {
      return auth;
    }
  }

  /** Timers that run when the test says, on the test's clock. */
  static final class ManualTimers implements RefreshScheduler {
    private final Clock clock;
    private final List<Object[]> timers = new ArrayList<>();

    ManualTimers(Clock clock) {
      this.clock = clock;
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, Duration delay) {
      Object[] t = {task, clock.instant().plus(delay)};
      timers.add(t);
      return () -> {
        synchronized (ManualTimers.this) {
          timers.remove(t);
        }
      };
    }

    @Override
    public void execute(Runnable task) {
      throw new UnsupportedOperationException("no blocking work expected");
    }

    void runDue() {
      while (true) {
        Runnable due = null;
        synchronized (this) {
          for (Object[] t : timers) {
            if (!((Instant) t[1]).isAfter(clock.instant())) {
              timers.remove(t);
              due = (Runnable) t[0];
              break;
            }
          }
        }
        if (due == null) {
          return;
        }
        due.run();
      }
    }

    synchronized int pending() {
      return timers.size();
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
