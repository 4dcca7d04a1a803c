package io.github.iamauth4j.lettuce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.iamauth4j.core.ConnectionRenewals;
import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.RenewalPolicy;
import io.github.iamauth4j.core.TokenUnavailableException;
import io.lettuce.core.RedisCredentials;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

class IamRedisCredentialsProviderTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final FakeCredentials aws = new FakeCredentials();
  private final List<IamAuthEvent> events = new CopyOnWriteArrayList<>();
  private final IamTokenProvider tokens =
      IamTokenProvider.builder()
          .target(IamTarget.elastiCache("orders", "app"))
          .region("us-east-1")
          .credentialsProvider(aws)
          .clock(clock)
          .scheduler(scheduler)
          .listener(events::add)
          .build();
  private final RenewalPolicy policy =
      RenewalPolicy.builder()
          .reauthenticationInterval(Duration.ofMinutes(60))
          .reauthenticationJitter(Duration.ofMinutes(10))
          .build();
  private final IamRedisCredentialsProvider provider =
      new IamRedisCredentialsProvider(ConnectionRenewals.of(tokens, policy, scheduler));

  @AfterEach
  void close() {
    tokens.close();
  }

  @Test
  void resolvesTheTargetsUserAndAToken() {
    CompletableFuture<RedisCredentials> first = provider.resolveCredentials().toFuture();
    scheduler.runPending();

    RedisCredentials c = first.join();
    assertThat(c.hasUsername()).isTrue();
    assertThat(c.getUsername()).isEqualTo("app");
    assertThat(c.hasPassword()).isTrue();
    String password = new String(c.getPassword());
    assertThat(password).startsWith("orders/?").contains("Action=connect").contains("User=app");
    assertThat(c.toString()).doesNotContain(password).contains("redacted").contains("orders");
    // Lettuce may zero the array it is given: every call hands out a fresh copy.
    char[] handedOut = c.getPassword();
    java.util.Arrays.fill(handedOut, '\0');
    assertThat(new String(c.getPassword())).isEqualTo(password);
  }

  @Test
  void theFirstResolutionDoesNotWaitForTheFetchWhichRunsOnTheCoresThreads() {
    // Nothing runs the scheduler's fetch yet: a blocking provider would never return from here.
    CompletableFuture<RedisCredentials> first = provider.resolveCredentials().toFuture();

    assertThat(first).isNotDone();
    assertThat(aws.calls()).isZero();
    assertThat(scheduler.runPending()).isEqualTo(1);
    assertThat(first).isCompleted();
    assertThat(aws.calls()).isEqualTo(1);
  }

  @Test
  void onceATokenIsCachedResolutionCompletesAtOnceWithoutAskingAws() {
    provider.resolveCredentials().toFuture();
    scheduler.runPending();

    for (int i = 0; i < 5; i++) {
      assertThat(provider.resolveCredentials().toFuture()).isCompleted();
    }
    assertThat(aws.calls()).isEqualTo(1);
  }

  @Test
  void aTokenThatCannotBeMintedIsATypedErrorNamingTheCacheAndUser() {
    aws.failWith(new IllegalStateException("no credentials in the chain"));
    CompletableFuture<RedisCredentials> first = provider.resolveCredentials().toFuture();
    scheduler.runPending();

    assertThatThrownBy(first::get)
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(TokenUnavailableException.class)
        .hasMessageContaining("\"orders\"")
        .hasMessageContaining("\"app\"")
        .hasMessageNotContaining(FakeCredentials.SECRET);
    // Later connections fail at once too (a retry is scheduled), instead of hanging.
    assertThat(provider.resolveCredentials().toFuture())
        .isCompletedExceptionally()
        .failsWithin(Duration.ZERO)
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(TokenUnavailableException.class);
  }

  @Test
  void aFirstTokenThatDoesNotComeFailsAfterTheTimeoutNamingTheSetting() {
    IamTokenProvider impatientTokens =
        IamTokenProvider.create(
            tokens.config().toBuilder().firstTokenTimeout(Duration.ofMillis(50)).build());
    IamRedisCredentialsProvider impatient =
        new IamRedisCredentialsProvider(ConnectionRenewals.of(impatientTokens, policy, scheduler));

    // The fetch is never run: the Mono must give up on its own rather than hang (the timer is the
    // core's, on the provider's scheduler).
    CompletableFuture<RedisCredentials> first = impatient.resolveCredentials().toFuture();
    assertThat(first).isNotDone();
    scheduler.advance(Duration.ofMillis(50));
    assertThatThrownBy(first::join)
        .cause()
        .isInstanceOf(TokenUnavailableException.class)
        .hasMessageContaining("ElastiCache")
        .hasMessageContaining("\"orders\"")
        .hasMessageContaining("firstTokenTimeout");
  }

  @Test
  void streamsNothingAtSubscriptionThenFreshCredentialsOnTheJitteredInterval() {
    provider.resolveCredentials().toFuture();
    scheduler.runPending();
    List<RedisCredentials> received = new CopyOnWriteArrayList<>();

    Disposable subscription = provider.credentials().subscribe(received::add);
    assertThat(provider.supportsStreaming()).isTrue();
    assertThat(provider.openStreams()).isEqualTo(1);
    assertThat(received).isEmpty();

    // The delay is the interval less up to the jitter: nothing before 50 minutes...
    scheduler.advance(Duration.ofMinutes(50).minusSeconds(1));
    assertThat(received).isEmpty();
    // ...one by 60 minutes.
    scheduler.advance(Duration.ofMinutes(10).plusSeconds(1));
    assertThat(received).hasSize(1);
    // Then again and again, well before the 12-hour limit each time.
    scheduler.advance(Duration.ofHours(12));
    assertThat(received).hasSizeBetween(12, 15);
    assertThat(received.get(received.size() - 1).getUsername()).isEqualTo("app");
    // The stream hands out the cache's current token, which has been renewed by now.
    assertThat(new String(received.get(received.size() - 1).getPassword()))
        .isNotEqualTo(new String(received.get(0).getPassword()));

    subscription.dispose();
    assertThat(provider.openStreams()).isZero();
    int before = received.size();
    scheduler.advance(Duration.ofHours(3));
    assertThat(received).hasSize(before);
  }

  @Test
  void eachConnectionHasItsOwnTimer() {
    provider.resolveCredentials().toFuture();
    scheduler.runPending();
    List<RedisCredentials> a = new CopyOnWriteArrayList<>();
    List<RedisCredentials> b = new CopyOnWriteArrayList<>();
    Disposable first = provider.credentials().subscribe(a::add);
    scheduler.advance(Duration.ofMinutes(30));
    Disposable second = provider.credentials().subscribe(b::add);

    // Thirty-one minutes later the first connection is due; the second one, opened later, is not.
    scheduler.advance(Duration.ofMinutes(31));
    assertThat(a).hasSize(1);
    assertThat(b).isEmpty();
    assertThat(provider.openStreams()).isEqualTo(2);

    first.dispose();
    second.dispose();
    assertThat(provider.openStreams()).isZero();
  }

  @Test
  void aRenewalWithoutATokenIsReportedAndRetriedWithoutEndingTheStream() {
    provider.resolveCredentials().toFuture();
    scheduler.runPending();
    List<RedisCredentials> received = new CopyOnWriteArrayList<>();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    provider.credentials().subscribe(received::add, errors::add);

    // AWS goes down for good: after the token's life, renewals find no usable token.
    aws.failWith(new IllegalStateException("IMDS unreachable"));
    scheduler.advance(Duration.ofHours(2));
    assertThat(events)
        .filteredOn(e -> e instanceof IamAuthEvent.ReauthenticationFailed)
        .isNotEmpty()
        .allSatisfy(
            e ->
                assertThat(((IamAuthEvent.ReauthenticationFailed) e).cause())
                    .isInstanceOf(TokenUnavailableException.class));
    assertThat(errors).isEmpty();
    int failures = countFailures();

    // AWS comes back: the stream recovers within a retry delay (a tenth of the interval).
    aws.failWith(null);
    int before = received.size();
    scheduler.advance(provider.retryDelay().plus(Duration.ofMinutes(1)));
    assertThat(received).hasSizeGreaterThan(before);
    assertThat(provider.retryDelay()).isEqualTo(Duration.ofMinutes(6));
    assertThat(countFailures()).isGreaterThanOrEqualTo(failures);
    assertThat(errors).isEmpty();
  }

  @Test
  void aClosedTokenProviderCompletesTheStream() {
    provider.resolveCredentials().toFuture();
    scheduler.runPending();
    List<String> signals = new CopyOnWriteArrayList<>();
    provider
        .credentials()
        .subscribe(c -> signals.add("next"), e -> signals.add("error"), () -> signals.add("done"));

    tokens.close();
    scheduler.advance(Duration.ofHours(1));
    assertThat(signals).containsExactly("done");
    assertThat(provider.openStreams()).isZero();
  }

  @Test
  void theFactoryStartsTheFirstFetchAndUsesTheDefaults() {
    IamRedisCredentialsProvider p =
        IamLettuce.builder().tokenProvider(tokens).renewalPolicy(policy).build().credentials();

    assertThat(scheduler.runPending()).isEqualTo(1);
    assertThat(p.resolveCredentials().toFuture()).isCompleted();
    assertThat(p.firstTokenTimeout()).isEqualTo(IamAuthConfig.DEFAULT_FIRST_TOKEN_TIMEOUT);
    assertThat(p.tokenProvider()).isSameAs(tokens);
    assertThat(p.renewalPolicy()).isSameAs(policy);
    assertThat(p.toString()).contains("orders").contains("open streams=0");
  }

  private int countFailures() {
    return (int)
        events.stream().filter(e -> e instanceof IamAuthEvent.ReauthenticationFailed).count();
  }
}
