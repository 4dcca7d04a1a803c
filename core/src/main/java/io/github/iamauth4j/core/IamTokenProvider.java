package io.github.iamauth4j.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
  private final List<IamAuthListener> listeners;
  private final CopyOnWriteArrayList<Consumer<AuthToken>> subscribers =
      new CopyOnWriteArrayList<>();

  private volatile @Nullable Cached cached;
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

  private IamTokenProvider(Builder b, IamTokenGenerator generator) {
    this.generator = generator;
    this.clock = generator.clock();
    this.refreshBeforeExpiry = b.refreshBeforeExpiry;
    this.safetyMargin = b.effectiveSafetyMargin(generator.expiry());
    this.minRetryDelay = b.minRetryDelay;
    this.maxRetryDelay = b.maxRetryDelay;
    this.firstTokenTimeout = b.firstTokenTimeout;
    this.scheduler = b.scheduler;
    this.listeners = List.copyOf(b.listeners);
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

  private static String messageOf(Throwable t) {
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m;
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
    try {
      token = generator.generate();
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
    Cached c = cached;
    Instant stillUsable =
        c != null && now.toEpochMilli() < c.unusableAtMillis ? c.token.usableUntil() : null;
    // Callers see this only once no usable token remains: the fast path returns before it.
    lastFailure = e;
    lastFailureAtMillis = now.toEpochMilli();
    nextRetryAtMillis = now.toEpochMilli() + delay.toMillis();
    inflight.set(null);
    scheduleRefresh(fetchNumber, delay, c);
    mine.completeExceptionally(e);
    if (stillUsable != null) {
      log.warn(
          "could not refresh the token for {} (attempt {}), retrying in {}; the current"
              + " token stays usable until {}: {}",
          target(),
          attempt,
          delay,
          stillUsable,
          messageOf(e));
    } else {
      log.error(
          "no usable token for {} (attempt {}), retrying in {}: {}",
          target(),
          attempt,
          delay,
          messageOf(e));
    }
    publish(new IamAuthEvent.RefreshFailed(target(), now, e, attempt, delay, stillUsable));
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
    for (IamAuthListener l : listeners) {
      try {
        l.onEvent(event);
      } catch (RuntimeException e) {
        log.warn(
            "an iamauth4j listener failed on {}; ignored", event.getClass().getSimpleName(), e);
      }
    }
  }

  /**
   * Reports an event to this provider's listeners and logs it; adapters use it for connection
   * events (re-authenticated, re-authentication failed, retired).
   *
   * @param event the event
   */
  public void report(IamAuthEvent event) {
    if (event instanceof IamAuthEvent.ReauthenticationFailed f) {
      log.warn(
          "re-authentication of {} to {} failed: {}",
          f.connection(),
          f.target(),
          messageOf(f.cause()));
    } else if (event instanceof IamAuthEvent.ConnectionRetired r) {
      log.debug("retired {} to {} at age {}", r.connection(), r.target(), r.age());
    } else if (event instanceof IamAuthEvent.ConnectionReauthenticated r) {
      log.debug("re-authenticated {} to {}", r.connection(), r.target());
    }
    publish(event);
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
   * Builds an {@link IamTokenProvider}: either from a ready {@link IamTokenGenerator}, or from the
   * generator's settings (target, region, endpoint, credentials provider, clock, expiry).
   */
  public static final class Builder {
    private static final Duration DEFAULT_SAFETY_MARGIN = Duration.ofSeconds(30);
    private final IamTokenGenerator.Builder generatorBuilder = IamTokenGenerator.builder();
    private @Nullable IamTokenGenerator generator;
    private boolean generatorSettings;
    private Duration refreshBeforeExpiry = Duration.ofSeconds(450);
    private @Nullable Duration safetyMargin;
    private Duration minRetryDelay = Duration.ofSeconds(1);
    private Duration maxRetryDelay = Duration.ofSeconds(30);
    private Duration firstTokenTimeout = Duration.ofSeconds(30);
    private RefreshScheduler scheduler = RefreshScheduler.shared();
    private final List<IamAuthListener> listeners = new ArrayList<>();

    private Builder() {}

    /**
     * A ready generator (its target, region, credentials, clock and expiry are used). Not
     * combinable with the generator settings below.
     *
     * @param generator the generator
     */
    public Builder generator(IamTokenGenerator generator) {
      this.generator = Objects.requireNonNull(generator, "generator");
      return this;
    }

    /**
     * What the tokens authorise. Required unless a generator is given.
     *
     * @param target the target
     */
    public Builder target(IamTarget target) {
      generatorBuilder.target(target);
      generatorSettings = true;
      return this;
    }

    /**
     * See {@link IamTokenGenerator.Builder#region(String)}.
     *
     * @param region the region, e.g. {@code us-east-1}
     */
    public Builder region(@Nullable String region) {
      generatorBuilder.region(region);
      generatorSettings = true;
      return this;
    }

    /**
     * See {@link IamTokenGenerator.Builder#endpoint(String)}.
     *
     * @param endpointHost the host the client connects to
     */
    public Builder endpoint(@Nullable String endpointHost) {
      generatorBuilder.endpoint(endpointHost);
      generatorSettings = true;
      return this;
    }

    /**
     * See {@link IamTokenGenerator.Builder#credentialsProvider(AwsCredentialsProvider)}.
     *
     * @param provider the credentials provider; default the AWS SDK's default chain
     */
    public Builder credentialsProvider(AwsCredentialsProvider provider) {
      generatorBuilder.credentialsProvider(provider);
      generatorSettings = true;
      return this;
    }

    /**
     * See {@link IamTokenGenerator.Builder#clock(Clock)}.
     *
     * @param clock the clock; default {@link Clock#systemUTC()}
     */
    public Builder clock(Clock clock) {
      generatorBuilder.clock(clock);
      generatorSettings = true;
      return this;
    }

    /**
     * See {@link IamTokenGenerator.Builder#expiry(Duration)}.
     *
     * @param expiry the signed expiry; default 15 minutes
     */
    public Builder expiry(Duration expiry) {
      generatorBuilder.expiry(expiry);
      generatorSettings = true;
      return this;
    }

    /**
     * How long before a token stops being usable to replace it. Default 7.5 minutes; never more
     * than half the token's usable life.
     *
     * @param before the lead time, more than zero
     */
    public Builder refreshBeforeExpiry(Duration before) {
      this.refreshBeforeExpiry = Objects.requireNonNull(before, "refreshBeforeExpiry");
      return this;
    }

    /**
     * The least usable life a token must have to be handed out, so that it is still valid when the
     * server checks it (network time, clock skew). Default 30 seconds, or a tenth of the signed
     * expiry when that is shorter (short-lived tokens in tests, or a short DSQL expiry); a margin
     * given here must be less than half the expiry.
     *
     * @param margin the margin, zero or more
     */
    public Builder safetyMargin(Duration margin) {
      this.safetyMargin = Objects.requireNonNull(margin, "safetyMargin");
      return this;
    }

    /**
     * The backoff between failed refreshes: from {@code min}, doubling, up to {@code max}, with
     * jitter. Default 1 second to 30 seconds.
     *
     * @param min the first delay, more than zero
     * @param max the largest delay, at least {@code min}
     */
    public Builder retryBackoff(Duration min, Duration max) {
      this.minRetryDelay = Objects.requireNonNull(min, "min");
      this.maxRetryDelay = Objects.requireNonNull(max, "max");
      return this;
    }

    /**
     * How long {@link #token()} waits for the very first token. Default 30 seconds.
     *
     * @param timeout the timeout, more than zero
     */
    public Builder firstTokenTimeout(Duration timeout) {
      this.firstTokenTimeout = Objects.requireNonNull(timeout, "firstTokenTimeout");
      return this;
    }

    /**
     * Where timers and credential fetches run. Default {@link RefreshScheduler#shared()}.
     *
     * @param scheduler the scheduler
     */
    public Builder scheduler(RefreshScheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Adds a listener for token and connection events.
     *
     * @param listener the listener
     */
    public Builder listener(IamAuthListener listener) {
      this.listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Builds the provider. No token is fetched yet: call {@link #prefetch()} on the result to start
     * fetching the first one in the background.
     *
     * @throws IamConfigurationException listing every problem
     */
    public IamTokenProvider build() {
      List<String> problems = new ArrayList<>();
      positive(problems, "refreshBeforeExpiry", refreshBeforeExpiry);
      if (safetyMargin != null && safetyMargin.isNegative()) {
        problems.add("safetyMargin: " + safetyMargin + " is negative (expected zero or more)");
      }
      positive(problems, "retryBackoff min", minRetryDelay);
      if (maxRetryDelay.compareTo(minRetryDelay) < 0) {
        problems.add("retryBackoff max: " + maxRetryDelay + " is less than min " + minRetryDelay);
      }
      positive(problems, "firstTokenTimeout", firstTokenTimeout);
      if (generator != null && generatorSettings) {
        problems.add(
            "generator: given together with target/region/endpoint/credentials/clock/"
                + "expiry settings (expected one or the other)");
      }
      IamTokenGenerator g = generator;
      if (g == null) {
        try {
          g = generatorBuilder.build();
        } catch (IamConfigurationException e) {
          problems.addAll(e.problems());
        }
      }
      if (g != null
          && safetyMargin != null
          && safetyMargin.multipliedBy(2).compareTo(g.expiry()) >= 0) {
        problems.add(
            "safetyMargin: "
                + safetyMargin
                + " leaves no usable life for tokens that expire after "
                + g.expiry()
                + " (expected less than half the expiry)");
      }
      if (!problems.isEmpty()) {
        throw new IamConfigurationException(problems);
      }
      return new IamTokenProvider(this, Objects.requireNonNull(g));
    }

    /** The margin given, else 30 seconds or a tenth of {@code expiry}, whichever is shorter. */
    Duration effectiveSafetyMargin(Duration expiry) {
      if (safetyMargin != null) {
        return safetyMargin;
      }
      Duration tenth = expiry.dividedBy(10);
      return tenth.compareTo(DEFAULT_SAFETY_MARGIN) < 0 ? tenth : DEFAULT_SAFETY_MARGIN;
    }

    private static void positive(List<String> problems, String name, Duration d) {
      if (d.isNegative() || d.isZero()) {
        problems.add(name + ": " + d + " is not positive (expected more than zero)");
      }
    }
  }

  /**
   * Starts fetching a token in the background if none is cached or under way, so that the first
   * connection finds one ready. Never blocks.
   *
   * @return this provider
   */
  public IamTokenProvider prefetch() {
    if (cached == null && !closed) {
      refreshInBackground();
    }
    return this;
  }
}
