package io.github.iamauth4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;

/** The token cache, driven by a {@link MutableClock} and a {@link ManualScheduler}. */
class IamTokenProviderTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  static final IamTarget CACHE = IamTarget.elastiCache("orders", "app");
  static final Duration MARGIN = Duration.ofSeconds(30);

  final MutableClock clock = new MutableClock(T0);
  final ManualScheduler scheduler = new ManualScheduler(clock);
  final FakeCredentials creds = FakeCredentials.basic();
  final List<IamAuthEvent> events = new CopyOnWriteArrayList<>();
  final List<IamTokenProvider> providers = new ArrayList<>();

  @AfterEach
  void closeProviders() {
    providers.forEach(IamTokenProvider::close);
  }

  IamTokenProvider.Builder builder() {
    return IamTokenProvider.builder()
        .target(CACHE)
        .region("us-east-1")
        .credentialsProvider(creds)
        .clock(clock)
        .scheduler(scheduler)
        // Short, so that a regression that waits instead of failing fast shows as a different
        // message ("after waiting") rather than a slow test.
        .firstTokenTimeout(Duration.ofMillis(200))
        .listener(events::add);
  }

  IamTokenProvider provider(IamTokenProvider.Builder b) {
    IamTokenProvider p = b.build();
    providers.add(p);
    return p;
  }

  /** The first token, fetched by the scheduler's queued task. */
  AuthToken first(IamTokenProvider p) {
    p.prefetch();
    assertThat(scheduler.runPending()).isEqualTo(1);
    return p.token();
  }

  <T extends IamAuthEvent> List<T> events(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  IamAuthEvent.RefreshFailed lastFailure() {
    List<IamAuthEvent.RefreshFailed> f = events(IamAuthEvent.RefreshFailed.class);
    assertThat(f).isNotEmpty();
    return f.get(f.size() - 1);
  }

  /** The clock's instant truncated to the second, as tokens are stamped. */
  Instant nowSecond() {
    return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
  }

  /** Moves the clock to the next timer and runs what is due. */
  void runNextTimer() {
    clock.set(scheduler.nextDue().orElseThrow());
    scheduler.runDue();
  }

  @Test
  void firstTokenIsFetchedInTheBackgroundAndCached() {
    IamTokenProvider p = provider(builder());
    assertThat(creds.calls()).isZero();

    AuthToken t = first(p);

    assertThat(t.issuedAt()).isEqualTo(T0);
    assertThat(t.usableUntil()).isEqualTo(T0.plusSeconds(900));
    assertThat(t.userName()).isEqualTo("app");
    assertThat(p.token()).isSameAs(t);
    assertThat(p.token()).isSameAs(t);
    assertThat(creds.calls()).isEqualTo(1);
    assertThat(scheduler.queuedTasks()).isZero();
    assertThat(events(IamAuthEvent.TokenIssued.class))
        .containsExactly(
            new IamAuthEvent.TokenIssued(CACHE, T0, T0.plusSeconds(900), T0.plusSeconds(450)));
  }

  @Test
  void refreshesAtUsableUntilLessRefreshBeforeExpiry() {
    IamTokenProvider p = provider(builder().refreshBeforeExpiry(Duration.ofMinutes(2)));
    AuthToken t1 = first(p);
    Instant refreshAt = T0.plus(Duration.ofMinutes(13));
    assertThat(scheduler.nextDue()).contains(refreshAt);
    assertThat(events(IamAuthEvent.TokenIssued.class).get(0).refreshAt()).isEqualTo(refreshAt);

    clock.set(refreshAt.minusMillis(1));
    scheduler.runDue();
    assertThat(p.token()).isSameAs(t1);
    assertThat(creds.calls()).isEqualTo(1);
    assertThat(scheduler.queuedTasks()).isZero();

    clock.set(refreshAt);
    scheduler.runDue();
    AuthToken t2 = p.token();
    assertThat(creds.calls()).isEqualTo(2);
    assertThat(t2).isNotSameAs(t1);
    assertThat(t2.issuedAt()).isEqualTo(refreshAt);
    assertThat(scheduler.nextDue()).contains(refreshAt.plus(Duration.ofMinutes(13)));
  }

  @Test
  void refreshesAtHalfLifeWhenThatIsSooner() {
    IamTokenProvider p = provider(builder().refreshBeforeExpiry(Duration.ofMinutes(10)));
    first(p);
    assertThat(scheduler.nextDue()).contains(T0.plus(Duration.ofSeconds(450)));

    // Credentials that expire in 8 minutes: usable life 8 min, half of it 4 min < 7.5 min default.
    creds.succeedWithSession(T0.plus(Duration.ofMinutes(8)));
    IamTokenProvider capped = provider(builder());
    AuthToken t = first(capped);
    assertThat(t.usableUntil()).isEqualTo(T0.plus(Duration.ofMinutes(8)));
    assertThat(t.expiresAt()).isEqualTo(T0.plus(Duration.ofMinutes(15)));
    assertThat(events(IamAuthEvent.TokenIssued.class).get(1).refreshAt())
        .isEqualTo(T0.plus(Duration.ofMinutes(4)));
  }

  @Test
  void aReaderAfterRefreshAtStartsTheRefreshEvenWithoutTheTimer() {
    IamTokenProvider p = provider(builder());
    AuthToken t1 = first(p);
    clock.set(T0.plusSeconds(451));

    assertThat(p.token()).isSameAs(t1);
    assertThat(p.token()).isSameAs(t1);
    assertThat(scheduler.queuedTasks()).as("one refresh for many readers").isEqualTo(1);
    scheduler.runPending();
    assertThat(p.token().issuedAt()).isEqualTo(T0.plusSeconds(451));
    assertThat(creds.calls()).isEqualTo(2);
  }

  @Test
  void neverHandsOutATokenWithLessThanTheSafetyMarginLeft() {
    IamTokenProvider p = provider(builder());
    AuthToken t1 = first(p);
    Instant unusableAt = t1.usableUntil().minus(MARGIN);

    clock.set(unusableAt.minusMillis(1));
    assertThat(p.token()).isSameAs(t1);
    scheduler.runPending(); // the refresh that read started; it succeeds
    AuthToken t2 = p.token();
    assertThat(t2).isNotSameAs(t1);

    // Now a refresh that has not happened yet: the stale token is not handed out.
    clock.set(t2.usableUntil().minus(MARGIN));
    CompletableFuture<AuthToken> f = p.tokenAsync();
    assertThat(f).isNotDone();
    assertThat(scheduler.runPending()).isEqualTo(1);
    assertThat(f).isCompletedWithValueMatching(t -> t.issuedAt().equals(clock.instant()));
  }

  @Test
  void shortLivedTokensGetAMarginOfATenthOfTheirExpiry() {
    // 6-second tokens (compressed lives in tests): the 30-second default would leave no life.
    IamTokenProvider p = provider(builder().expiry(Duration.ofSeconds(6)));
    AuthToken t1 = first(p);

    clock.set(t1.usableUntil().minusMillis(601)); // more than 600 ms (a tenth) left
    assertThat(p.token()).isSameAs(t1);
    clock.set(t1.usableUntil().minusMillis(600)); // no more than a tenth left: never handed out
    CompletableFuture<AuthToken> f = p.tokenAsync();
    assertThat(f).isNotDone();
    scheduler.runPending();
    assertThat(f).isCompletedWithValueMatching(t -> t != t1);
  }

  @Test
  void anExplicitMarginThatLeavesNoLifeIsAConfigurationError() {
    assertThatThrownBy(() -> builder().expiry(Duration.ofSeconds(60)).safetyMargin(MARGIN).build())
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("safetyMargin: PT30S leaves no usable life for tokens that expire")
        .hasMessageContaining("expected less than half the expiry");
  }

  @Test
  void tokenSignedByCredentialsAboutToExpireIsNotHandedOut() {
    creds.succeedWithSession(T0.plusSeconds(59)); // less than twice the 30 s margin
    IamTokenProvider p = provider(builder());
    p.prefetch();
    scheduler.runPending();

    TokenUnavailableException e = catchThrowableOfType(TokenUnavailableException.class, p::token);
    assertThat(e).hasMessageContaining("less than twice the safety margin");
    assertThat(lastFailure().attempt()).isEqualTo(1);
    assertThat(events(IamAuthEvent.TokenIssued.class)).isEmpty();

    creds.succeedWithSession(T0.plus(Duration.ofHours(1)));
    runNextTimer();
    assertThat(p.token().usableUntil()).isEqualTo(nowSecond().plusSeconds(900));
  }

  @Test
  void shortOutageKeepsServingTheOldTokenRetriesWithBackoffThenRecovers() {
    IamTokenProvider p =
        provider(builder().retryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30)));
    AuthToken t1 = first(p);
    SdkClientException down = SdkClientException.create("IMDS is down");
    creds.fail(down);

    clock.set(T0.plusSeconds(450));
    scheduler.runDue();
    long[] maxDelays = {1, 2, 4, 8, 16, 30, 30};
    for (int attempt = 1; attempt <= maxDelays.length; attempt++) {
      IamAuthEvent.RefreshFailed f = lastFailure();
      assertThat(f.attempt()).isEqualTo(attempt);
      assertThat(f.cause()).hasRootCause(down);
      assertThat(f.stillUsableUntil()).isEqualTo(t1.usableUntil());
      Duration max = Duration.ofSeconds(maxDelays[attempt - 1]);
      assertThat(f.nextRetryIn()).isBetween(max.dividedBy(2), max);
      assertThat(scheduler.nextDue()).contains(clock.instant().plus(f.nextRetryIn()));
      assertThat(p.token()).as("callers see no error").isSameAs(t1);
      assertThat(p.tokenAsync()).isCompletedWithValue(t1);
      if (attempt < maxDelays.length) {
        runNextTimer();
      }
    }
    assertThat(creds.calls()).isEqualTo(1 + maxDelays.length);
    assertThat(clock.instant()).isBefore(t1.usableUntil().minus(MARGIN));

    creds.succeed();
    runNextTimer();
    AuthToken t2 = p.token();
    assertThat(t2.issuedAt()).isEqualTo(nowSecond());
    assertThat(events.get(events.size() - 1)).isInstanceOf(IamAuthEvent.TokenIssued.class);

    // The failure count starts again after a success.
    creds.fail(down);
    int failures = events(IamAuthEvent.RefreshFailed.class).size();
    runNextTimer();
    assertThat(events(IamAuthEvent.RefreshFailed.class)).hasSize(failures + 1);
    assertThat(lastFailure().attempt()).isEqualTo(1);
  }

  @Test
  void readersDuringAnOutageDoNotBypassTheBackoff() {
    IamTokenProvider p =
        provider(builder().retryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30)));
    AuthToken t1 = first(p);
    creds.fail(new IllegalStateException("STS throttling"));
    clock.set(T0.plusSeconds(450));
    scheduler.runDue();
    for (int attempt = 1; attempt <= 4; attempt++) {
      int calls = creds.calls();
      Instant retryAt = scheduler.nextDue().orElseThrow();
      // Busy readers between two retries: served the old token, and no extra fetch.
      for (int i = 0; i < 100; i++) {
        clock.set(retryAt.minusMillis(100 - i));
        assertThat(p.token()).isSameAs(t1);
        assertThat(p.tokenAsync()).isCompletedWithValue(t1);
      }
      assertThat(scheduler.queuedTasks()).as("attempt %d", attempt).isZero();
      assertThat(creds.calls()).isEqualTo(calls);
      clock.set(retryAt);
      scheduler.runDue();
      assertThat(creds.calls()).isEqualTo(calls + 1);
    }
    // Once the retry is due, a reader may start it (the timer may be late).
    clock.set(scheduler.nextDue().orElseThrow());
    assertThat(p.token()).isSameAs(t1);
    assertThat(scheduler.queuedTasks()).isEqualTo(1);
  }

  @Test
  void longOutageFailsAtOnceWithTheCauseThenRecovers() {
    IamTokenProvider p = provider(builder());
    AuthToken t1 = first(p);
    IllegalStateException down = new IllegalStateException("STS unreachable");
    creds.fail(down);
    clock.set(T0.plusSeconds(450));
    scheduler.runDue();
    while (clock.instant().isBefore(t1.usableUntil().minus(MARGIN))) {
      assertThat(p.token()).isSameAs(t1);
      runNextTimer();
    }
    int attempts = lastFailure().attempt();
    assertThat(attempts).isGreaterThan(5);
    assertThat(lastFailure().stillUsableUntil()).isNull();

    TokenUnavailableException e = catchThrowableOfType(TokenUnavailableException.class, p::token);
    assertThat(e)
        .hasMessageStartingWith("no usable token for ElastiCache cache \"orders\" (user \"app\")")
        .hasMessageContaining("STS unreachable")
        .hasMessageNotContaining("after waiting")
        .hasRootCause(down);
    CompletableFuture<AuthToken> f = p.tokenAsync();
    assertThat(f).isCompletedExceptionally();
    assertThatThrownBy(f::join)
        .hasCauseInstanceOf(TokenUnavailableException.class)
        .hasRootCause(down);

    creds.succeed();
    runNextTimer();
    assertThat(p.token().issuedAt()).isEqualTo(nowSecond());
    assertThat(p.tokenAsync()).isCompletedWithValue(p.token());
  }

  @Test
  void firstTokenFailureIsReportedAtOnceThenRecovers() {
    creds.fail(SdkClientException.create("no credentials in the chain"));
    IamTokenProvider p = provider(builder());
    p.prefetch();
    scheduler.runPending();

    assertThatThrownBy(p::token)
        .isInstanceOf(TokenUnavailableException.class)
        .hasMessageContaining("no credentials in the chain")
        .hasMessageNotContaining("after waiting")
        .hasRootCauseInstanceOf(SdkClientException.class);
    assertThat(p.tokenAsync()).isCompletedExceptionally();
    assertThat(lastFailure().stillUsableUntil()).isNull();

    creds.succeed();
    runNextTimer();
    assertThat(p.token().issuedAt()).isEqualTo(nowSecond());
  }

  @Test
  void usableLifeIsCappedByTheCredentialsExpiration() {
    Instant credsExpire = T0.plus(Duration.ofMinutes(10));
    creds.succeedWithSession(credsExpire);
    IamTokenProvider p = provider(builder());
    AuthToken t1 = first(p);

    assertThat(t1.expiresAt()).isEqualTo(T0.plus(Duration.ofMinutes(15)));
    assertThat(t1.usableUntil()).isEqualTo(credsExpire);
    assertThat(scheduler.nextDue()).contains(T0.plus(Duration.ofMinutes(5)));

    // The refresh fails; the token is dropped by the credentials' expiration, not its own.
    creds.fail(new IllegalStateException("down"));
    runNextTimer();
    clock.set(credsExpire.minus(MARGIN).minusMillis(1));
    assertThat(p.token()).isSameAs(t1);
    clock.set(credsExpire.minus(MARGIN));
    assertThatThrownBy(p::token).isInstanceOf(TokenUnavailableException.class);

    creds.succeedWithSession(clock.instant().plus(Duration.ofHours(1)));
    runNextTimer();
    AuthToken t2 = p.token();
    assertThat(t2.usableUntil()).isEqualTo(t2.expiresAt());
  }

  @Test
  void tokenAsyncCompletesAtOnceWhenCachedAndNeverFetchesOnTheCallersThread() {
    IamTokenProvider p = provider(builder());
    CompletableFuture<AuthToken> pending = p.tokenAsync();
    assertThat(pending).isNotDone();
    assertThat(creds.calls()).as("not fetched on the caller's thread").isZero();
    assertThat(p.tokenAsync()).as("joins the same fetch").isNotDone();
    assertThat(scheduler.runPending()).isEqualTo(1);
    AuthToken t = pending.join();

    CompletableFuture<AuthToken> cached = p.tokenAsync();
    assertThat(cached).isCompletedWithValue(t);
    assertThat(creds.calls()).isEqualTo(1);

    // Cancelling a caller's future does not cancel the shared fetch.
    clock.set(t.usableUntil());
    CompletableFuture<AuthToken> a = p.tokenAsync();
    CompletableFuture<AuthToken> b = p.tokenAsync();
    a.cancel(true);
    scheduler.runPending();
    assertThat(b).isCompletedWithValueMatching(x -> x.issuedAt().equals(t.usableUntil()));
  }

  @Test
  void subscribersGetEachNewToken() throws Exception {
    IamTokenProvider p = provider(builder());
    AuthToken t1 = first(p);
    List<AuthToken> seen = new CopyOnWriteArrayList<>();
    List<AuthToken> seenToo = new CopyOnWriteArrayList<>();
    AutoCloseable sub = p.subscribe(seen::add);
    p.subscribe(
        t -> {
          throw new IllegalStateException("a broken subscriber");
        });
    p.subscribe(seenToo::add);

    runNextTimer();
    AuthToken t2 = p.token();
    runNextTimer();
    AuthToken t3 = p.token();
    assertThat(seen).containsExactly(t2, t3).doesNotContain(t1);
    assertThat(seenToo).containsExactly(t2, t3);

    sub.close();
    runNextTimer();
    assertThat(seen).containsExactly(t2, t3);
    assertThat(seenToo).hasSize(3);
  }

  @Test
  void closeStopsTimersAndLaterCallsThrow() {
    IamTokenProvider p = provider(builder());
    first(p);
    assertThat(scheduler.pendingTimers()).isEqualTo(1);

    p.close();
    p.close();

    assertThat(scheduler.pendingTimers()).isZero();
    assertThatThrownBy(p::token)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(p.tokenAsync()).isCompletedExceptionally();
    assertThat(p.prefetch()).isSameAs(p);
    assertThat(scheduler.queuedTasks()).isZero();
    assertThat(p.toString()).contains("closed");
    clock.advance(Duration.ofHours(1));
    assertThat(scheduler.runDue()).isZero();
    assertThat(creds.calls()).isEqualTo(1);
  }

  @Test
  void aFetchUnderWayWhenClosedSchedulesNothing() {
    IamTokenProvider p = provider(builder());
    p.prefetch();
    p.close();
    scheduler.runPending();

    assertThat(scheduler.pendingTimers()).isZero();
    assertThatThrownBy(p::token).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void listenerEventsAndAThrowingListenerDoesNotBreakRefresh() {
    List<IamAuthEvent> seen = new CopyOnWriteArrayList<>();
    IamTokenProvider p =
        provider(
            builder()
                .listener(
                    e -> {
                      throw new IllegalStateException("a broken listener");
                    })
                .listener(seen::add));
    AuthToken t1 = first(p);
    SdkClientException down = SdkClientException.create("down");
    creds.fail(down);
    runNextTimer();
    runNextTimer();
    runNextTimer();
    creds.succeed();
    runNextTimer();
    AuthToken t2 = p.token();

    assertThat(seen).hasSize(5).isEqualTo(events);
    assertThat(seen.get(0))
        .isEqualTo(new IamAuthEvent.TokenIssued(CACHE, T0, t1.usableUntil(), T0.plusSeconds(450)));
    for (int i = 1; i <= 3; i++) {
      IamAuthEvent.RefreshFailed f = (IamAuthEvent.RefreshFailed) seen.get(i);
      assertThat(f.attempt()).isEqualTo(i);
      assertThat(f.target()).isEqualTo(CACHE);
      assertThat(f.cause()).isInstanceOf(TokenUnavailableException.class).hasCause(down);
      assertThat(f.stillUsableUntil()).isEqualTo(t1.usableUntil());
    }
    assertThat(((IamAuthEvent.RefreshFailed) seen.get(2)).at())
        .isAfter(((IamAuthEvent.RefreshFailed) seen.get(1)).at());
    assertThat(seen.get(4)).isInstanceOf(IamAuthEvent.TokenIssued.class);
    assertThat(seen.get(4).at()).isEqualTo(t2.issuedAt());
  }

  @Test
  void reportPassesAdapterEventsToListeners() {
    IamTokenProvider p = provider(builder());
    IamAuthEvent.ConnectionRetired retired =
        new IamAuthEvent.ConnectionRetired(CACHE, T0, "conn-1", Duration.ofHours(6));
    IamAuthEvent.ReauthenticationFailed failed =
        new IamAuthEvent.ReauthenticationFailed(
            CACHE, T0, "conn-2", new IllegalStateException("x"));
    IamAuthEvent.ConnectionReauthenticated ok =
        new IamAuthEvent.ConnectionReauthenticated(CACHE, T0, "conn-3");
    p.events().publish(retired);
    p.events().publish(failed);
    p.events().publish(ok);

    assertThat(events).containsExactly(retired, failed, ok);
  }

  /**
   * A retry due at once must not be lost: a timer that fires while the failed fetch is still
   * finishing must start a new fetch, not join the one that is ending.
   */
  @Test
  void aRetryDueAtOnceIsNotLost() {
    ArrayDeque<Runnable> queue = new ArrayDeque<>();
    RefreshScheduler immediateTimers =
        new RefreshScheduler() {
          @Override
          public Cancellable schedule(Runnable task, Duration delay) {
            if (delay.isZero()) {
              task.run(); // as a timer thread would, possibly before the fetch has finished
              return () -> {};
            }
            return () -> {};
          }

          @Override
          public void execute(Runnable task) {
            queue.add(task);
          }
        };
    creds.fail(new IllegalStateException("down"));
    IamTokenProvider p =
        provider(
            builder()
                .scheduler(immediateTimers)
                .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(1)));
    p.prefetch();
    queue.poll().run();
    assertThat(lastFailure().nextRetryIn()).isZero();

    assertThat(queue).as("the immediate retry was queued").hasSize(1);
    creds.succeed();
    queue.poll().run();
    assertThat(p.token().issuedAt()).isEqualTo(T0);
  }

  @Test
  void anErrorFromTheCredentialsProviderDoesNotWedgeTheProvider() {
    IamTokenProvider p = provider(builder());
    creds.fail(new RuntimeException("boom"));
    AwsCredentialsProviderThrowingError erroring = new AwsCredentialsProviderThrowingError();
    IamTokenProvider q =
        provider(
            IamTokenProvider.builder()
                .target(CACHE)
                .region("us-east-1")
                .credentialsProvider(erroring)
                .clock(clock)
                .scheduler(scheduler)
                .firstTokenTimeout(Duration.ofMillis(200)));
    q.prefetch();
    scheduler.runPending();
    assertThatThrownBy(q::token)
        .isInstanceOf(TokenUnavailableException.class)
        .hasMessageNotContaining("after waiting")
        .hasRootCauseInstanceOf(NoClassDefFoundError.class);
    erroring.ok = true;
    runNextTimer();
    assertThat(q.token().issuedAt()).isEqualTo(nowSecond());
    assertThat(p).isNotNull();
  }

  static final class AwsCredentialsProviderThrowingError
      implements software.amazon.awssdk.auth.credentials.AwsCredentialsProvider {
    volatile boolean ok;

    @Override
    public software.amazon.awssdk.auth.credentials.AwsCredentials resolveCredentials() {
      if (!ok) {
        throw new NoClassDefFoundError("software/amazon/awssdk/services/sts/StsClient");
      }
      return FakeCredentials.basic().resolveCredentials();
    }
  }

  @Test
  void builderListsEveryProblem() {
    IamConfigurationException e =
        catchThrowableOfType(
            IamConfigurationException.class,
            () ->
                IamTokenProvider.builder()
                    .target(CACHE)
                    .region("us-east-1")
                    .refreshBeforeExpiry(Duration.ZERO)
                    .safetyMargin(Duration.ofSeconds(-1))
                    .retryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1))
                    .firstTokenTimeout(Duration.ofSeconds(-5))
                    .build());

    assertThat(e.problems())
        .hasSize(4)
        .anyMatch(s -> s.startsWith("refreshBeforeExpiry: PT0S is not positive"))
        .anyMatch(s -> s.startsWith("safetyMargin: PT-1S is negative"))
        .anyMatch(s -> s.startsWith("retryBackoff max: PT1S is less than min PT2S"))
        .anyMatch(s -> s.startsWith("firstTokenTimeout: PT-5S is not positive"));

    IamTokenGenerator g = IamTokenGenerator.builder().target(CACHE).region("us-east-1").build();
    assertThatThrownBy(() -> IamTokenProvider.builder().generator(g).region("eu-west-1").build())
        .hasMessageContaining("generator: given together with");
    IamTokenProvider fromGenerator = IamTokenProvider.builder().generator(g).build();
    assertThat(fromGenerator.region()).isEqualTo("us-east-1");
    assertThat(fromGenerator.userName()).isEqualTo("app");
    fromGenerator.close();
  }

  @Test
  void anAbandonedProviderStopsRetryingUntilSomeoneAsksAgain() {
    creds.fail(new IllegalStateException("no such profile"));
    IamTokenProvider p = provider(builder());
    p.prefetch();
    scheduler.runPending();
    // Nobody asks again: retries go on for a token's life (15 minutes), then stop.
    for (int i = 0; i < 40; i++) {
      clock.advance(Duration.ofSeconds(30));
      scheduler.runDue();
    }
    long failures = events.stream().filter(e -> e instanceof IamAuthEvent.RefreshFailed).count();
    assertThat(scheduler.pendingTimers()).as("retry timers left").isZero();
    assertThat(failures).isBetween(20L, 60L);
    clock.advance(Duration.ofHours(1));
    scheduler.runDue();
    assertThat(events.stream().filter(e -> e instanceof IamAuthEvent.RefreshFailed).count())
        .as("no attempts while nobody asks")
        .isEqualTo(failures);

    // A caller comes back: it is told at once, and its request starts a new attempt.
    creds.succeed();
    assertThatThrownBy(p::token).isInstanceOf(TokenUnavailableException.class);
    assertThat(scheduler.runPending()).isEqualTo(1);
    assertThat(p.token().userName()).isEqualTo("app");
  }

  @Test
  void identicalFailuresAreLoggedLoudOnceThenSummarised() throws Exception {
    String marker = "marker-" + java.util.UUID.randomUUID();
    creds.fail(new IllegalStateException(marker + "\nforged line"));
    IamTokenProvider p = provider(builder());
    p.prefetch();
    scheduler.runPending();
    // A caller keeps asking (so retries go on) for four minutes: one loud line.
    for (int i = 0; i < 24; i++) {
      clock.advance(Duration.ofSeconds(10));
      p.tokenAsync();
      scheduler.runDue();
    }
    assertThat(loudLines(marker)).hasSize(1);
    // Past five minutes: one summary line counting the quiet ones.
    for (int i = 0; i < 12; i++) {
      clock.advance(Duration.ofSeconds(10));
      p.tokenAsync();
      scheduler.runDue();
    }
    List<String> loud = loudLines(marker);
    assertThat(loud).hasSize(2);
    assertThat(loud.get(1)).contains("identical failures since the last such line");
    // The control character in the cause is escaped: no forged log line.
    assertThat(loud).allSatisfy(l -> assertThat(l).contains(marker + "\\u000aforged line"));
  }

  private static List<String> loudLines(String marker) throws java.io.IOException {
    String logFile = System.getProperty("org.slf4j.simpleLogger.logFile");
    assertThat(logFile).as("surefire sets the log file").isNotNull();
    return java.nio.file.Files.readAllLines(java.nio.file.Path.of(logFile)).stream()
        .filter(l -> l.contains(marker) && (l.contains(" ERROR ") || l.contains(" WARN ")))
        .toList();
  }
}
