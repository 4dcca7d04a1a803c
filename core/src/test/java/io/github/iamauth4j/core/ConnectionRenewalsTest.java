package io.github.iamauth4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Per-connection renewal in its three shapes, on a mutable clock and a manual scheduler. */
class ConnectionRenewalsTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  final MutableClock clock = new MutableClock(T0);
  final ManualScheduler scheduler = new ManualScheduler(clock);
  final FakeCredentials creds = FakeCredentials.basic();
  final List<IamAuthEvent> events = new CopyOnWriteArrayList<>();
  final IamTokenProvider tokens =
      IamTokenProvider.builder()
          .target(IamTarget.elastiCache("orders", "app"))
          .region("us-east-1")
          .credentialsProvider(creds)
          .clock(clock)
          .scheduler(scheduler)
          .firstTokenTimeout(Duration.ofMillis(200))
          .listener(events::add)
          .build();
  final RenewalPolicy policy =
      RenewalPolicy.builder()
          .reauthenticationInterval(Duration.ofMinutes(60))
          .reauthenticationJitter(Duration.ofMinutes(10))
          .maxConnectionAge(Duration.ofHours(6))
          .maxConnectionAgeJitter(Duration.ofHours(1))
          .build();
  final ConnectionRenewals renewals = ConnectionRenewals.of(tokens, policy, scheduler);

  @AfterEach
  void close() {
    tokens.close();
  }

  private void firstToken() {
    tokens.prefetch();
    scheduler.runPending();
  }

  private long count(Class<? extends IamAuthEvent> type) {
    return events.stream().filter(type::isInstance).count();
  }

  @Test
  void aStreamDeliversATokenAtEachJitteredIntervalNeverAtOnce() {
    firstToken();
    List<Instant> deliveries = new ArrayList<>();
    AutoCloseable handle = renewals.stream("c1", t -> deliveries.add(clock.instant()), () -> {});
    scheduler.runDue();
    assertThat(deliveries).isEmpty();
    assertThat(renewals.open()).isEqualTo(1);

    for (int i = 0; i < 24; i++) {
      clock.advance(Duration.ofMinutes(5));
      scheduler.runDue();
    }
    // Two hours: two deliveries, each 50 to 60 minutes after the previous one.
    assertThat(deliveries).hasSize(2);
    Duration first = Duration.between(T0, deliveries.get(0));
    assertThat(first).isBetween(Duration.ofMinutes(50), Duration.ofMinutes(60));
    assertThat(Duration.between(deliveries.get(0), deliveries.get(1)))
        .isBetween(Duration.ofMinutes(50), Duration.ofMinutes(65));
  }

  @Test
  void closingAStreamCancelsItsTimer() throws Exception {
    firstToken();
    List<AuthToken> got = new ArrayList<>();
    AutoCloseable handle = renewals.stream("c1", got::add, () -> {});
    handle.close();
    handle.close();
    assertThat(renewals.open()).isZero();
    clock.advance(Duration.ofHours(2));
    scheduler.runDue();
    assertThat(got).isEmpty();
  }

  @Test
  void aStreamWithoutATokenReportsAndRetriesThenRecovers() {
    creds.fail(new IllegalStateException("no credentials here"));
    List<AuthToken> got = new ArrayList<>();
    renewals.stream("c1", got::add, () -> {});
    clock.advance(Duration.ofMinutes(60));
    scheduler.runDue();
    assertThat(got).isEmpty();
    assertThat(count(IamAuthEvent.ReauthenticationFailed.class)).isGreaterThanOrEqualTo(1);
    assertThat(renewals.retryDelay()).isEqualTo(Duration.ofMinutes(6));

    creds.succeed();
    for (int i = 0; i < 4; i++) {
      clock.advance(renewals.retryDelay());
      scheduler.runDue();
    }
    assertThat(got).isNotEmpty();
    assertThat(got.get(0).userName()).isEqualTo("app");
  }

  @Test
  void aStreamEndsWhenTheProviderCloses() {
    firstToken();
    List<String> ends = new ArrayList<>();
    renewals.stream("c1", t -> {}, () -> ends.add("end"));
    tokens.close();
    clock.advance(Duration.ofHours(1));
    scheduler.runDue();
    assertThat(ends).containsExactly("end");
    assertThat(renewals.open()).isZero();
  }

  @Test
  void aFailingConsumerIsReportedAndTheStreamGoesOn() {
    firstToken();
    int[] calls = {0};
    renewals.stream(
        "c1",
        t -> {
          calls[0]++;
          throw new IllegalStateException("client refused");
        },
        () -> {});
    for (int i = 0; i < 30; i++) {
      clock.advance(Duration.ofMinutes(5));
      scheduler.runDue();
    }
    assertThat(calls[0]).isGreaterThanOrEqualTo(2);
    assertThat(count(IamAuthEvent.ReauthenticationFailed.class)).isEqualTo(calls[0]);
  }

  @Test
  void nextCompletesOnceAtTheJitteredInstant() {
    firstToken();
    CompletableFuture<AuthToken> next = renewals.next("c1");
    clock.advance(Duration.ofMinutes(49));
    scheduler.runDue();
    assertThat(next).isNotDone();
    clock.advance(Duration.ofMinutes(11));
    scheduler.runDue();
    assertThat(next).isCompleted();
    assertThat(renewals.open()).isZero();
    assertThat(scheduler.pendingTimers()).isEqualTo(1); // only the token refresh remains
  }

  @Test
  void nextDoesNotFailDuringAnOutageAndFailsOnlyWhenTheProviderCloses() {
    creds.fail(new IllegalStateException("outage"));
    CompletableFuture<AuthToken> next = renewals.next("c1");
    clock.advance(Duration.ofMinutes(60));
    scheduler.runDue();
    assertThat(next).isNotDone();
    assertThat(count(IamAuthEvent.ReauthenticationFailed.class)).isGreaterThanOrEqualTo(1);

    tokens.close();
    clock.advance(renewals.retryDelay());
    scheduler.runDue();
    assertThat(next).isCompletedExceptionally();
  }

  @Test
  void cancellingNextStopsItsTimer() {
    firstToken();
    int before = scheduler.pendingTimers();
    CompletableFuture<AuthToken> next = renewals.next("c1");
    assertThat(scheduler.pendingTimers()).isEqualTo(before + 1);
    next.cancel(false);
    assertThat(scheduler.pendingTimers()).isEqualTo(before);
    assertThat(renewals.open()).isZero();
  }

  @Test
  void aTrackedConnectionIsDueAfterItsJitteredIntervalAndAgainAfterSuccess() {
    firstToken();
    ConnectionRenewal r = renewals.track("pooled 1");
    assertThat(r.reauthenticationDue()).isNull();
    assertThat(r.isReauthenticationDue()).isFalse();
    assertThat(Duration.between(T0, r.reauthenticateAt()))
        .isBetween(Duration.ofMinutes(50), Duration.ofMinutes(60));

    clock.set(r.reauthenticateAt());
    scheduler.runDue(); // the token cache refreshes on its own timers meanwhile
    assertThat(r.isReauthenticationDue()).isTrue();
    AuthToken token = r.reauthenticationDue();
    assertThat(token).isNotNull();
    r.reauthenticated();
    assertThat(count(IamAuthEvent.ConnectionReauthenticated.class)).isEqualTo(1);
    assertThat(r.reauthenticationDue()).isNull();
    assertThat(Duration.between(clock.instant(), r.reauthenticateAt()))
        .isBetween(Duration.ofMinutes(50), Duration.ofMinutes(60));
  }

  @Test
  void aTrackedFailureIsReportedAndRetriedAfterTheRetryDelay() {
    firstToken();
    ConnectionRenewal r = renewals.track("pooled 1");
    clock.set(r.reauthenticateAt());
    scheduler.runDue();
    assertThat(r.reauthenticationDue()).isNotNull();
    r.reauthenticationFailed(new IllegalStateException("WRONGPASS"));
    assertThat(count(IamAuthEvent.ReauthenticationFailed.class)).isEqualTo(1);
    assertThat(r.reauthenticateAt()).isEqualTo(clock.instant().plus(renewals.retryDelay()));
  }

  @Test
  void aTrackedConnectionWithoutATokenIsPostponedAndReported() {
    creds.fail(new IllegalStateException("outage"));
    ConnectionRenewal r = renewals.track("pooled 1");
    clock.set(r.reauthenticateAt());
    // The first fetch has not run: no token yet, nothing reported, ask again later.
    assertThat(r.reauthenticationDue()).isNull();
    scheduler.runPending();
    assertThat(r.reauthenticationDue()).isNull();
    assertThat(count(IamAuthEvent.ReauthenticationFailed.class)).isEqualTo(1);
    assertThat(r.isReauthenticationDue()).isFalse();
  }

  @Test
  void retirementFallsDueAtTheJitteredAgeAndIsReportedOnce() {
    ConnectionRenewal r = renewals.track("pooled 1");
    assertThat(Duration.between(T0, r.retireAt()))
        .isBetween(Duration.ofHours(5), Duration.ofHours(6));
    clock.set(r.retireAt().minusSeconds(1));
    assertThat(r.retirementDue()).isFalse();
    clock.set(r.retireAt());
    assertThat(r.retirementDue()).isTrue();
    assertThat(r.retirementDue()).isTrue();
    assertThat(events)
        .filteredOn(e -> e instanceof IamAuthEvent.ConnectionRetired)
        .singleElement()
        .satisfies(
            e ->
                assertThat(((IamAuthEvent.ConnectionRetired) e).age())
                    .isEqualTo(Duration.between(T0, r.retireAt())));
  }

  @Test
  void connectionsOpenedTogetherRetireAtSpreadInstants() {
    List<Instant> retireAts = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      retireAts.add(renewals.track("pooled " + i).retireAt());
    }
    assertThat(retireAts.stream().distinct().count()).isGreaterThan(40);
    assertThat(renewals.open()).isEqualTo(50);
  }

  @Test
  void closingATrackedConnectionStopsIt() {
    ConnectionRenewal r = renewals.track("pooled 1");
    r.close();
    r.close();
    assertThat(renewals.open()).isZero();
    clock.advance(Duration.ofHours(2));
    assertThat(r.isReauthenticationDue()).isFalse();
    assertThat(r.reauthenticationDue()).isNull();
  }

  @Test
  void reauthenticatingMovesRetirementToAFreshAgeFromNow() {
    firstToken();
    ConnectionRenewal r = renewals.track("pooled 1");
    Instant firstRetireAt = r.retireAt();
    clock.set(r.reauthenticateAt());
    scheduler.runDue();
    assertThat(r.reauthenticationDue()).isNotNull();
    r.reauthenticated();
    assertThat(r.retireAt()).isAfter(firstRetireAt);
    assertThat(Duration.between(clock.instant(), r.retireAt()))
        .isBetween(Duration.ofHours(5), Duration.ofHours(6));
    clock.set(firstRetireAt);
    assertThat(r.retirementDue()).isFalse();
  }

  @Test
  void aConnectionOfUnknownAgeIsReauthenticatedAtOnceThenOnItsInterval() {
    firstToken();
    ConnectionRenewal r = renewals.track("found in an app's pool");
    Instant retireAt = r.retireAt();
    r.reauthenticateNow();
    assertThat(r.isReauthenticationDue()).isTrue();
    assertThat(r.retireAt()).as("retirement unchanged").isEqualTo(retireAt);
    AuthToken token = r.reauthenticationDue();
    assertThat(token).isNotNull();
    r.reauthenticated();
    assertThat(r.reauthenticationDue()).isNull();
    assertThat(Duration.between(T0, r.reauthenticateAt()))
        .isBetween(Duration.ofMinutes(50), Duration.ofMinutes(60));
    assertThat(count(IamAuthEvent.ConnectionReauthenticated.class)).isEqualTo(1);
  }

  @Test
  void reauthenticateNowOverridesARetryDelayAndDoesNothingOnceClosed() {
    firstToken();
    ConnectionRenewal r = renewals.track("subscriber 1");
    clock.set(r.reauthenticateAt());
    scheduler.runDue();
    assertThat(r.reauthenticationDue()).isNotNull();
    r.reauthenticationFailed(new IllegalStateException("WRONGPASS"));
    assertThat(r.isReauthenticationDue()).isFalse();
    r.reauthenticateNow();
    assertThat(r.reauthenticationDue()).isNotNull();

    r.close();
    r.reauthenticateNow();
    assertThat(r.isReauthenticationDue()).isFalse();
    assertThat(r.reauthenticationDue()).isNull();
    assertThat(renewals.open()).isZero();
  }
}
