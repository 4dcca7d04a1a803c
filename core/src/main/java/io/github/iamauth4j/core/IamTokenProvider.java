package io.github.iamauth4j.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * The token cache every adapter shares: one per target, shared by all connections of a client.
 *
 * <p>After the first token, callers never wait on the credential source. {@link #token()} hands out
 * the current token at once; a background refresh replaces it well before it becomes unusable (by
 * default 7.5 minutes before, or half its life if that is shorter), and a token with less than the
 * {@linkplain Builder#safetyMargin(Duration) safety margin} of life left is never handed out. A
 * failed refresh is retried with exponential backoff and jitter while the still-usable token keeps
 * being served. When no usable token remains, {@link #token()} throws a {@link
 * TokenUnavailableException} at once with the last failure as its cause, instead of hanging. {@link
 * #tokenAsync()} never blocks, for callers on event loops. Subscribers are told of each new token.
 *
 * <pre>{@code
 * IamTokenProvider tokens = IamTokenProvider.builder()
 *     .target(IamTarget.elastiCache("orders", "app"))
 *     .region("us-east-1")
 *     .build();
 * AuthToken token = tokens.token();   // user name + password for the client
 * }</pre>
 *
 * <p>Thread-safe. Timers and fetches run on a {@link RefreshScheduler}, by default the one shared
 * by the whole JVM; {@link #close()} cancels this provider's work.
 */
public final class IamTokenProvider implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IamTokenProvider.class);

  private final IamTokenGenerator generator;
  private final Clock clock;
  private final Duration refreshBeforeExpiry;
  private final Duration safetyMargin;
  private final Duration minRetryDelay;
  private final Duration maxRetryDelay;
  private final Duration firstTokenTimeout;
  private final RefreshScheduler scheduler;
  private final IamAuthConfig config;
  private final IamAuthEvents events;
  private final PasswordFallbacks passwordFallbacks;
  private final CopyOnWriteArrayList<Consumer<AuthToken>> subscribers =
      new CopyOnWriteArrayList<>();

  private volatile @Nullable Cached cached;
  // Tokens signed and the time it took (credentials fetch included), for metrics.
  private final java.util.concurrent.atomic.LongAdder signings =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder signingNanos =
      new java.util.concurrent.atomic.LongAdder();
  private final AtomicReference<@Nullable CompletableFuture<AuthToken>> inflight =
      new AtomicReference<>();
  // Numbers the fetches, so that a fetch finishing late cannot replace the timer of a newer one.
  private final AtomicLong fetchSequence = new AtomicLong();
  private final Object timerLock = new Object();
  private RefreshScheduler.@Nullable Cancellable timer;
  private long timerSetByFetch; // guarded by timerLock
  // Written only by the fetch that holds `inflight`, read by callers.
  private volatile @Nullable Throwable lastFailure;
  private volatile long lastFailureAtMillis;
  // When the retry after the last failure is due; readers start no refresh before it, so busy
  // readers cannot bypass the backoff during an outage. Long.MIN_VALUE after a success.
  private volatile long nextRetryAtMillis = Long.MIN_VALUE;
  private int failuresInARow;
  private volatile boolean closed;
  // When a caller last asked for a token: background retries without a usable token stop when
  // nobody has asked for a while, so an abandoned provider does not retry (and log) forever.
  private volatile long lastDemandMillis;
  private final long abandonAfterMillis;
  // Repeated identical failures are logged loud once, then summarised (guarded by the fetch that
  // holds `inflight`: one at a time).
  private @Nullable String lastLoggedFailure;
  private long lastLoggedFailureAtMillis;
  private int failuresNotLogged;

  /** The current token and the instants (epoch millis) that decide what to do with it. */
  private static final class Cached {
    final AuthToken token;
    final long refreshAtMillis;
    final long unusableAtMillis;

    Cached(AuthToken token, long refreshAtMillis, long unusableAtMillis) {
      this.token = token;
      this.refreshAtMillis = refreshAtMillis;
      this.unusableAtMillis = unusableAtMillis;
    }
  }

  private IamTokenProvider(IamAuthConfig config) {
    this.config = config;
    this.generator = config.generator();
    this.clock = generator.clock();
    this.refreshBeforeExpiry = config.refreshBeforeExpiry();
    this.safetyMargin = config.safetyMargin();
    this.minRetryDelay = config.minRetryDelay();
    this.maxRetryDelay = config.maxRetryDelay();
    this.firstTokenTimeout = config.firstTokenTimeout();
    this.scheduler = config.scheduler();
    this.events = new IamAuthEvents(generator.target(), clock, config.listeners());
    this.passwordFallbacks = new PasswordFallbacks(this, config.passwordFallback());
    FallbackPassword fallback = config.passwordFallback();
    if (fallback != null) {
      log.info(
          "password fallback is on for {}: when IAM cannot be used, connections authenticate as"
              + " user {} with the password from {}",
          generator.target().description(),
          io.github.iamauth4j.core.internal.Texts.quoteIfSafe(fallback.user()),
          fallback.source());
    }
    long twiceMaxRetry = config.maxRetryDelay().multipliedBy(2).toMillis();
    this.abandonAfterMillis = Math.max(twiceMaxRetry, generator.expiry().toMillis());
  }

  /**
   * A provider of its own for {@code config}; the caller closes it. To share one provider among
   * every client of a target in the JVM, use {@link #shared(IamAuthConfig)}.
   *
   * @param config the configuration
   * @return the provider; no token is fetched until asked (or {@link #prefetch()})
   */
  public static IamTokenProvider create(IamAuthConfig config) {
    return new IamTokenProvider(Objects.requireNonNull(config, "config"));
  }

  /**
   * The JVM's shared provider for {@code config}'s token source (target, region, credentials
   * provider instance, clock, expiry), created on first use: every connection to the same target
   * reuses one cached token instead of signing its own. Each call takes a lease; the provider is
   * closed when the last lease is closed. The listeners of every configuration that holds a lease
   * hear the provider's events (each once), until its last lease naming them is closed.
   *
   * @param config the configuration
   * @return a lease on the shared provider; close it when done
   */
  public static Lease shared(IamAuthConfig config) {
    return SharedProviders.acquire(Objects.requireNonNull(config, "config"), IamTokenProvider::new);
  }

  /** A lease on a {@linkplain #shared(IamAuthConfig) shared} provider. */
  public interface Lease extends AutoCloseable {
    /** The shared provider; valid until this lease is closed. */
    IamTokenProvider provider();

    /** Gives the lease back; the last one closes the provider. Idempotent. */
    @Override
    void close();
  }

  /** The configuration this provider was built from. */
  public IamAuthConfig config() {
    return config;
  }

  /** Where this provider's token events go, and where adapters report connection events. */
  public IamAuthEvents events() {
    return events;
  }

  /**
   * How connections choose between IAM and the {@linkplain IamAuthConfig#passwordFallback()
   * fallback password} during a migration from passwords (off unless configured).
   */
  public PasswordFallbacks passwordFallbacks() {
    return passwordFallbacks;
  }

  /**
   * How many tokens this provider has signed and the time that took in all (getting the credentials
   * included), e.g. for a timer of the time to sign.
   */
  public SigningStats signingStats() {
    return new SigningStats(signings.sum(), Duration.ofNanos(signingNanos.sum()));
  }

  /**
   * Tokens signed and the total time spent signing them.
   *
   * @param tokensSigned how many tokens were signed
   * @param totalTime the time spent, credentials fetch included
   */
  public record SigningStats(long tokensSigned, Duration totalTime) {}

  /** How long {@link #token()} waits for the very first token. */
  public Duration firstTokenTimeout() {
    return firstTokenTimeout;
  }

  /** Where this provider's timers and fetches run. */
  public RefreshScheduler scheduler() {
    return scheduler;
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  /** A builder; a target (or a generator) is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** What the tokens authorise. */
  public IamTarget target() {
    return generator.target();
  }

  /** The user name to present with each token. */
  public String userName() {
    return generator.target().userName();
  }

  /** The signing region. */
  public String region() {
    return generator.region();
  }

  /** The clock this provider judges expiry by (the generator's). */
  public Clock clock() {
    return clock;
  }

  /**
   * The current token. Returns at once when a usable token is cached (the usual case, a volatile
   * read). Before the first token exists it waits for it, at most the {@linkplain
   * Builder#firstTokenTimeout(Duration) first-token timeout}.
   *
   * @throws TokenUnavailableException at once if no usable token remains and the last attempt to
   *     sign one failed (the cause says why); after the timeout if the first token does not come
   * @throws IllegalStateException if the provider is closed
   */
  public AuthToken token() {
    Cached c = cached;
    long now = clock.millis();
    noteDemand(now);
    if (c != null && now < c.unusableAtMillis && !closed) {
      if (now >= c.refreshAtMillis && now >= nextRetryAtMillis) {
        refreshIfStill(c);
      }
      return c.token;
    }
    return awaitToken(now);
  }

  /**
   * The current token without blocking the caller: completed at once when a usable token is cached;
   * otherwise completed by a background fetch. Fails with {@link TokenUnavailableException} at once
   * if no usable token remains and the last attempt failed.
   */
  public CompletableFuture<AuthToken> tokenAsync() {
    Cached c = cached;
    long now = clock.millis();
    noteDemand(now);
    if (c != null && now < c.unusableAtMillis && !closed) {
      if (now >= c.refreshAtMillis && now >= nextRetryAtMillis) {
        refreshIfStill(c);
      }
      return CompletableFuture.completedFuture(c.token);
    }
    if (closed) {
      return CompletableFuture.failedFuture(closedException());
    }
    TokenUnavailableException failed = recentFailure(now);
    if (failed != null) {
      return CompletableFuture.failedFuture(failed);
    }
    // A dependent stage, so a caller cancelling it cannot cancel the shared fetch.
    return refreshInBackground().thenApply(t -> t);
  }

  /**
   * {@link #tokenAsync()}, failed with {@link TokenUnavailableException} if no token comes within
   * {@code timeout} (the fetch goes on in the background, and a later call uses its token). For
   * clients that must not block but must not wait forever for a connection's first token either,
   * e.g. with {@link #firstTokenTimeout()}. The timer runs on the provider's scheduler.
   *
   * @param timeout how long to wait for a token that is not cached
   * @return the token, completed at once when one is cached
   */
  public CompletableFuture<AuthToken> tokenAsync(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    CompletableFuture<AuthToken> token = tokenAsync();
    if (token.isDone()) {
      return token;
    }
    CompletableFuture<AuthToken> timed = new CompletableFuture<>();
    RefreshScheduler.Cancellable timer =
        scheduler.schedule(
            () -> {
              if (!timed.isDone()) {
                log.warn(
                    "a connection to {} gave up waiting {} for its first token: the AWS"
                        + " credentials provider has not answered",
                    target().description(),
                    timeout);
              }
              timed.completeExceptionally(
                  new TokenUnavailableException(
                      "no token for "
                          + target().description()
                          + " after waiting "
                          + timeout
                          + " (firstTokenTimeout): the AWS credentials provider has not answered;"
                          + " the fetch goes on in the background and the next connection attempt"
                          + " uses its token",
                      null));
            },
            timeout);
    token.whenComplete(
        (t, e) -> {
          timer.cancel();
          if (e != null) {
            timed.completeExceptionally(e);
          } else {
            timed.complete(t);
          }
        });
    return timed;
  }

  private AuthToken awaitToken(long now) {
    if (closed) {
      throw closedException();
    }
    TokenUnavailableException failed = recentFailure(now);
    if (failed != null) {
      throw failed;
    }
    CompletableFuture<AuthToken> f = refreshInBackground();
    try {
      return f.get(firstTokenTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof TokenUnavailableException t) {
        throw new TokenUnavailableException(t.getMessage(), t.getCause());
      }
      throw new TokenUnavailableException(
          "could not sign a token for " + target().description(), cause);
    } catch (TimeoutException e) {
      throw new TokenUnavailableException(
          "no token for "
              + target().description()
              + " after waiting "
              + firstTokenTimeout
              + ": the credentials provider has not answered",
          null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TokenUnavailableException(
          "interrupted while waiting for a token for " + target().description(), e);
    }
  }

  /**
   * When no usable token remains and the last attempt failed, the failure to report at once (a
   * retry is already scheduled); null if it is worth waiting for a fetch.
   */
  private @Nullable TokenUnavailableException recentFailure(long now) {
    Throwable last = lastFailure;
    if (last == null) {
      return null;
    }
    if (now - lastFailureAtMillis >= minRetryDelay.toMillis()) {
      // Long enough since the last attempt: try again now rather than wait for the timer.
      refreshInBackground();
    }
    return new TokenUnavailableException(
        "no usable token for " + target().description() + ": " + messageOf(last), last);
  }

  /**
   * Records that a caller asked for a token. Written at most once a second, so that readers on
   * several threads do not contend on one cache line for every cached read.
   */
  private void noteDemand(long now) {
    if (now - lastDemandMillis >= 1000) {
      lastDemandMillis = now;
    }
  }

  private static String messageOf(Throwable t) {
    return IamAuthEvents.messageOf(t);
  }

  private IllegalStateException closedException() {
    return new IllegalStateException(
        "the token provider for " + target().description() + " is closed");
  }

  /**
   * Starts a refresh unless one is under way; returns the refresh under way. Exactly one credential
   * fetch and one signing happen per refresh, whatever the number of callers.
   */
  private CompletableFuture<AuthToken> refreshInBackground() {
    return refresh(false, null);
  }

  /**
   * As {@link #refreshInBackground()}, but only if the cached token is still {@code seen}: a reader
   * or timer that decided on an older snapshot, and was overtaken by a refresh that has finished
   * since, must not start a second one.
   */
  private CompletableFuture<AuthToken> refreshIfStill(@Nullable Cached seen) {
    return refresh(true, seen);
  }

  private CompletableFuture<AuthToken> refresh(boolean onlyIfUnchanged, @Nullable Cached seen) {
    while (true) {
      CompletableFuture<AuthToken> current = inflight.get();
      if (current != null) {
        return current;
      }
      CompletableFuture<AuthToken> mine = new CompletableFuture<>();
      if (inflight.compareAndSet(null, mine)) {
        if (closed) {
          inflight.set(null);
          mine.completeExceptionally(closedException());
          return mine;
        }
        // Read after winning the slot, so it sees the token of any fetch that has finished.
        Cached now = cached;
        if (onlyIfUnchanged && now != null && now != seen) {
          inflight.set(null);
          mine.complete(now.token);
          return mine;
        }
        long fetchNumber = fetchSequence.incrementAndGet();
        try {
          scheduler.execute(() -> fetch(mine, fetchNumber));
        } catch (RuntimeException e) {
          inflight.set(null);
          mine.completeExceptionally(e);
        }
        return mine;
      }
    }
  }

  private void fetch(CompletableFuture<AuthToken> mine, long fetchNumber) {
    AuthToken token;
    long started = System.nanoTime();
    try {
      token = generator.generate();
      signingNanos.add(System.nanoTime() - started);
      signings.increment();
    } catch (RuntimeException e) {
      onFailure(mine, fetchNumber, e);
      return;
    } catch (Error e) {
      // E.g. a NoClassDefFoundError from an optional credentials module: without this the fetch
      // would never finish and every later caller would wait for it.
      onFailure(
          mine,
          fetchNumber,
          new TokenUnavailableException(
              "could not sign a token for " + target().description() + ": " + e, e));
      if (e instanceof VirtualMachineError) {
        throw e;
      }
      return;
    }
    Instant now = clock.instant();
    Duration remaining = Duration.between(now, token.usableUntil());
    if (remaining.compareTo(safetyMargin.multipliedBy(2)) <= 0) {
      onFailure(
          mine,
          fetchNumber,
          new TokenUnavailableException(
              "the credentials that signed the token for "
                  + target().description()
                  + " expire in "
                  + remaining
                  + ", less than twice the safety margin of "
                  + safetyMargin
                  + "; waiting for the credentials provider to renew them",
              null));
      return;
    }
    onSuccess(mine, fetchNumber, token, now, remaining);
  }

  private void onSuccess(
      CompletableFuture<AuthToken> mine,
      long fetchNumber,
      AuthToken token,
      Instant now,
      Duration remaining) {
    Duration before = refreshBeforeExpiry;
    Duration half = remaining.dividedBy(2);
    if (half.compareTo(before) < 0) {
      before = half;
    }
    Instant refreshAt = token.usableUntil().minus(before);
    long unusableAt = token.usableUntil().minus(safetyMargin).toEpochMilli();
    Cached fresh = new Cached(token, refreshAt.toEpochMilli(), unusableAt);
    cached = fresh;
    if (failuresInARow > 0) {
      log.info("signed a token for {} again after {} failed attempts", target(), failuresInARow);
    }
    lastLoggedFailure = null;
    failuresNotLogged = 0;
    lastFailure = null;
    nextRetryAtMillis = Long.MIN_VALUE;
    failuresInARow = 0;
    // Let go of the single-flight slot before arming the timer: a timer that fired in between
    // would otherwise join this ending fetch and its refresh would be lost.
    inflight.set(null);
    scheduleRefresh(fetchNumber, Duration.between(now, refreshAt), fresh);
    log.debug(
        "new token for {}, usable until {}, refresh at {}",
        target(),
        token.usableUntil(),
        refreshAt);
    publish(
        new IamAuthEvent.TokenIssued(target(), token.issuedAt(), token.usableUntil(), refreshAt));
    for (Consumer<AuthToken> s : subscribers) {
      try {
        s.accept(token);
      } catch (RuntimeException e) {
        log.warn("a token subscriber for {} failed; ignored", target(), e);
      }
    }
    // Listeners and subscribers first, so that a caller who waited for this token finds the
    // TokenIssued event already delivered (e.g. a metric counting tokens).
    mine.complete(token);
  }

  private void onFailure(CompletableFuture<AuthToken> mine, long fetchNumber, RuntimeException e) {
    int attempt = ++failuresInARow;
    Duration delay = retryDelay(attempt);
    Instant now = clock.instant();
    long nowMillis = now.toEpochMilli();
    Cached c = cached;
    Instant stillUsable =
        c != null && nowMillis < c.unusableAtMillis ? c.token.usableUntil() : null;
    // Without a usable token, background retries only make the next caller faster: when nobody
    // has asked for a token for a token's life (clients with connections ask at least every few
    // minutes), stop until someone asks.
    boolean abandoned = stillUsable == null && nowMillis - lastDemandMillis > abandonAfterMillis;
    // Callers see this only once no usable token remains: the fast path returns before it.
    lastFailure = e;
    lastFailureAtMillis = nowMillis;
    nextRetryAtMillis = nowMillis + delay.toMillis();
    inflight.set(null);
    if (!abandoned) {
      scheduleRefresh(fetchNumber, delay, c);
    }
    mine.completeExceptionally(e);
    logFailure(e, attempt, delay, stillUsable, abandoned, nowMillis);
    publish(new IamAuthEvent.RefreshFailed(target(), now, e, attempt, delay, stillUsable));
  }

  /** How long identical failures are logged at DEBUG before a summary is logged again. */
  private static final long FAILURE_LOG_INTERVAL_MILLIS = Duration.ofMinutes(5).toMillis();

  private void logFailure(
      RuntimeException e,
      int attempt,
      Duration delay,
      @Nullable Instant stillUsable,
      boolean abandoned,
      long nowMillis) {
    String message = messageOf(e);
    boolean repeat =
        message.equals(lastLoggedFailure)
            && nowMillis - lastLoggedFailureAtMillis < FAILURE_LOG_INTERVAL_MILLIS
            && !abandoned;
    if (repeat) {
      failuresNotLogged++;
      log.debug(
          "could not sign a token for {} (attempt {}), retrying in {}: {}",
          target(),
          attempt,
          delay,
          message);
      return;
    }
    String earlier =
        failuresNotLogged == 0
            ? ""
            : " (" + failuresNotLogged + " identical failures since the last such line)";
    lastLoggedFailure = message;
    lastLoggedFailureAtMillis = nowMillis;
    failuresNotLogged = 0;
    if (stillUsable != null) {
      log.warn(
          "could not refresh the token for {} (attempt {}), retrying in {}; the current"
              + " token stays usable until {}{}: {}",
          target(),
          attempt,
          delay,
          stillUsable,
          earlier,
          message);
    } else if (abandoned) {
      log.warn(
          "no usable token for {} (attempt {}){}; nobody has asked for one lately, so"
              + " background retries stop until the next request: {}",
          target(),
          attempt,
          earlier,
          message);
    } else {
      log.error(
          "no usable token for {} (attempt {}), retrying in {}{}: {}",
          target(),
          attempt,
          delay,
          earlier,
          message);
    }
  }

  private Duration retryDelay(int attempt) {
    // Exponential backoff with "equal jitter": half fixed, half random, capped.
    long min = minRetryDelay.toMillis();
    long cap = maxRetryDelay.toMillis();
    long exp = attempt >= 31 ? cap : Math.min(cap, min << (attempt - 1));
    long half = exp / 2;
    return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
  }

  /**
   * Arms the refresh timer for the fetch numbered {@code fetchNumber}, replacing the current timer
   * unless a newer fetch has already armed it. The timer refreshes only if {@code current} is still
   * the cached token when it fires.
   */
  private void scheduleRefresh(long fetchNumber, Duration delay, @Nullable Cached current) {
    synchronized (timerLock) {
      if (closed || fetchNumber < timerSetByFetch) {
        return;
      }
      timerSetByFetch = fetchNumber;
      if (timer != null) {
        timer.cancel();
      }
      timer =
          scheduler.schedule(
              () -> refreshIfStill(current), delay.isNegative() ? Duration.ZERO : delay);
    }
  }

  private void publish(IamAuthEvent event) {
    events.publish(event);
  }

  /**
   * Calls {@code subscriber} with each new token, on the refresh thread, until the returned handle
   * is closed. Not called with the token current at subscription.
   *
   * @param subscriber receives new tokens; must not block
   * @return closing it unsubscribes
   */
  public AutoCloseable subscribe(Consumer<AuthToken> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    subscribers.add(subscriber);
    return () -> subscribers.remove(subscriber);
  }

  /** Stops this provider's timers; later calls to {@link #token()} throw. Idempotent. */
  @Override
  public void close() {
    synchronized (timerLock) {
      closed = true;
      if (timer != null) {
        timer.cancel();
        timer = null;
      }
    }
    subscribers.clear();
  }

  @Override
  public String toString() {
    Cached c = cached;
    return "IamTokenProvider["
        + target().description()
        + ", region="
        + region()
        + (c == null ? ", no token yet" : ", token usable until " + c.token.usableUntil())
        + (closed ? ", closed" : "")
        + "]";
  }

  /**
   * Builds an {@link IamTokenProvider}: a shortcut for {@link IamAuthConfig#builder()} followed by
   * {@link IamTokenProvider#create(IamAuthConfig)}. Every setter is the configuration's.
   */
  public static final class Builder {
    private IamAuthConfig.Builder config = IamAuthConfig.builder();

    private Builder() {}

    /**
     * Starts from a ready configuration (replacing what was set before).
     *
     * @param config the configuration
     */
    public Builder config(IamAuthConfig config) {
      this.config = config.toBuilder();
      return this;
    }

    /**
     * See {@link IamAuthConfig.Builder#generator(IamTokenGenerator)}.
     *
     * @param generator the generator
     */
    public Builder generator(IamTokenGenerator generator) {
      config.generator(generator);
      return this;
    }

    /**
     * See {@link IamAuthConfig.Builder#target(IamTarget)}.
     *
     * @param target the target
     */
    public Builder target(IamTarget target) {
      config.target(target);
      return this;
    }

    /**
     * See {@link IamAuthConfig.Builder#region(String)}.
     *
     * @param region the region, e.g. {@code us-east-1}
     */
    public Builder region(@Nullable String region) {
      config.region(region);
      return this;
    }

    /**
     * See {@link IamAuthConfig.Builder#endpoint(String)}.
     *
     * @param endpointHost the host the client connects to
     */
    public Builder endpoint(@Nullable String endpointHost) {
      config.endpoint(endpointHost);
      return this;
    }

    /**
     * See {@link IamAuthConfig.Builder#credentialsProvider(AwsCredentialsProvider)}.
     *
     * @param provider the credentials provider; default the AWS SDK's default chain
     */
    public Builder credentialsProvider(AwsCredentialsProvider provider) {
      config.credentialsProvider(provider);
      return this;
    }

    /**
     * See {@link IamAuthConfig.Builder#clock(Clock)}.
     *
     * @param clock the clock; default {@link Clock#systemUTC()}
     */
    public Builder clock(Clock clock) {
      config.clock(clock);
      return this;
    }

    /**
     * See {@link IamAuthConfig.Builder#expiry(Duration)}.
     *
     * @param expiry the signed expiry; default 15 minutes
     */
    public Builder expiry(Duration expiry) {
      config.expiry(expiry);
      return this;
    }

    /**
     * See {@link IamAuthConfig.Builder#refreshBeforeExpiry(Duration)}.
     *
     * @param before the lead time, more than zero
     */
    public Builder refreshBeforeExpiry(Duration before) {
      config.refreshBeforeExpiry(before);
      return this;
    }

    /**
     * See {@link IamAuthConfig.Builder#safetyMargin(Duration)}.
     *
     * @param margin the margin, zero or more
     */
    public Builder safetyMargin(Duration margin) {
      config.safetyMargin(margin);
      return this;
    }

    /**
     * See {@link IamAuthConfig.Builder#firstTokenTimeout(Duration)}.
     *
     * @param timeout the timeout, more than zero
     */
    public Builder firstTokenTimeout(Duration timeout) {
      config.firstTokenTimeout(timeout);
      return this;
    }

    /**
     * See {@link IamAuthConfig.Builder#scheduler(RefreshScheduler)}.
     *
     * @param scheduler the scheduler
     */
    public Builder scheduler(RefreshScheduler scheduler) {
      config.scheduler(scheduler);
      return this;
    }

    /**
     * See {@link IamAuthConfig.Builder#listener(IamAuthListener)}.
     *
     * @param listener the listener
     */
    public Builder listener(IamAuthListener listener) {
      config.listener(listener);
      return this;
    }

    /**
     * See {@link IamAuthConfig.Builder#retryBackoff(Duration, Duration)}.
     *
     * @param min the first delay, more than zero
     * @param max the largest delay, at least {@code min}
     */
    public Builder retryBackoff(Duration min, Duration max) {
      config.retryBackoff(min, max);
      return this;
    }

    /**
     * Builds the provider. No token is fetched yet: call {@link #prefetch()} on the result to start
     * fetching the first one in the background.
     *
     * @throws IamConfigurationException listing every problem
     */
    public IamTokenProvider build() {
      return create(config.build());
    }
  }

  /**
   * Starts fetching a token in the background if none is cached or under way, so that the first
   * connection finds one ready. Never blocks.
   *
   * @return this provider
   */
  public IamTokenProvider prefetch() {
    lastDemandMillis = clock.millis();
    if (cached == null && !closed) {
      refreshInBackground();
    }
    return this;
  }
}
