package io.github.iamauth4j.lettuce;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.RefreshScheduler;
import io.github.iamauth4j.core.RenewalPolicy;
import io.github.iamauth4j.core.TokenUnavailableException;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

/**
 * A Lettuce {@link RedisCredentialsProvider} backed by the core's {@link IamTokenProvider}: the
 * target's user name with a current IAM token as the password.
 *
 * <ul>
 *   <li>{@link #resolveCredentials()} never blocks its caller, which is often a Netty event loop:
 *       it completes at once from the token cache, and before the first token exists it completes
 *       when the core's own threads have fetched it (or fails with a {@link
 *       TokenUnavailableException} naming the cache and user after the first-token timeout).
 *   <li>{@link #credentials()} streams fresh credentials to each connection that subscribes
 *       (Lettuce subscribes every connection when it becomes active and unsubscribes it when it
 *       goes down), on the {@link RenewalPolicy}'s jittered re-authentication interval, never at
 *       subscription. Lettuce answers each with {@code AUTH} on the live connection, which renews
 *       the server's 12-hour limit; it holds that {@code AUTH} while a {@code MULTI} is open and
 *       sends it after {@code EXEC}/{@code DISCARD}. This needs {@code
 *       ReauthenticateBehavior.ON_NEW_CREDENTIALS} (and RESP3 for pub/sub connections), which
 *       {@link IamLettuce} sets up.
 *   <li>The stream never fails: when no usable token can be had, it reports an {@link
 *       IamAuthEvent.ReauthenticationFailed} through the token provider and tries again after a
 *       tenth of the interval (at least 1 second), many times before the limit.
 * </ul>
 *
 * <pre>{@code
 * IamRedisCredentialsProvider credentials = IamRedisCredentialsProvider.of(tokens, RenewalPolicy.defaults());
 * RedisURI uri = RedisURI.builder().withHost(host).withSsl(true).withAuthentication(credentials).build();
 * }</pre>
 *
 * <p>Most apps use {@link IamLettuce}, which builds one of these together with the client options
 * Lettuce needs. Thread-safe.
 */
public final class IamRedisCredentialsProvider implements RedisCredentialsProvider {
  private static final Logger log = LoggerFactory.getLogger(IamRedisCredentialsProvider.class);

  /** The default {@linkplain #firstTokenTimeout() first-token timeout}. */
  public static final Duration DEFAULT_FIRST_TOKEN_TIMEOUT = Duration.ofSeconds(5);

  private final IamTokenProvider tokens;
  private final RenewalPolicy policy;
  private final RefreshScheduler scheduler;
  private final Duration firstTokenTimeout;
  private final AtomicInteger streams = new AtomicInteger();

  IamRedisCredentialsProvider(
      IamTokenProvider tokens,
      RenewalPolicy policy,
      RefreshScheduler scheduler,
      Duration firstTokenTimeout) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.firstTokenTimeout = Objects.requireNonNull(firstTokenTimeout, "firstTokenTimeout");
  }

  /**
   * A provider over {@code tokens} that re-authenticates as {@code policy} says, with its timers on
   * the JVM-wide {@link RefreshScheduler#shared()} and the default first-token timeout. Starts
   * fetching the first token in the background ({@link IamTokenProvider#prefetch()}).
   *
   * @param tokens the token cache, shared by all connections of the client
   * @param policy the renewal policy
   * @return the provider
   */
  public static IamRedisCredentialsProvider of(IamTokenProvider tokens, RenewalPolicy policy) {
    IamRedisCredentialsProvider p =
        new IamRedisCredentialsProvider(
            tokens, policy, RefreshScheduler.shared(), DEFAULT_FIRST_TOKEN_TIMEOUT);
    tokens.prefetch();
    return p;
  }

  /** The token cache behind this provider. */
  public IamTokenProvider tokenProvider() {
    return tokens;
  }

  /** The renewal policy that paces the re-authentications. */
  public RenewalPolicy renewalPolicy() {
    return policy;
  }

  /**
   * How long {@link #resolveCredentials()} waits for the very first token before failing with a
   * {@link TokenUnavailableException}; kept below Lettuce's connect timeout (10 seconds by default)
   * so that the failure names the cache instead of reading "connection initialization timed out".
   */
  public Duration firstTokenTimeout() {
    return firstTokenTimeout;
  }

  /**
   * The number of credential streams open now: one per live Lettuce connection that
   * re-authenticates with this provider.
   */
  public int openStreams() {
    return streams.get();
  }

  /**
   * The current credentials, without blocking: completed at once when a usable token is cached,
   * otherwise when the core's threads have fetched one.
   *
   * @return a {@link Mono} of the target's user name and a current token; it fails with a {@link
   *     TokenUnavailableException} naming the cache and user when no token can be had
   */
  @Override
  public Mono<RedisCredentials> resolveCredentials() {
    return Mono.defer(
        () -> {
          CompletableFuture<AuthToken> token = tokens.tokenAsync();
          Mono<RedisCredentials> credentials =
              Mono.fromFuture(token).map(IamRedisCredentialsProvider::credentialsOf);
          if (token.isDone()) {
            return credentials;
          }
          return credentials.timeout(
              firstTokenTimeout, Mono.error(() -> firstTokenTimedOut(firstTokenTimeout)));
        });
  }

  private TokenUnavailableException firstTokenTimedOut(Duration waited) {
    // Logged too: Lettuce's handshake handler can report its own "connection closed prematurely"
    // instead of the cause it was given when the TLS connection closes at the same moment.
    log.warn(
        "a Lettuce connection to {} gave up waiting {} for its first token: the AWS credentials"
            + " provider has not answered",
        tokens.target().description(),
        waited);
    return new TokenUnavailableException(
        "no token for "
            + tokens.target().description()
            + " after waiting "
            + waited
            + " (IamLettuce.Builder.firstTokenTimeout): the AWS credentials provider has not"
            + " answered; the fetch goes on in the background and the next connection attempt"
            + " uses its token",
        null);
  }

  private static RedisCredentials credentialsOf(AuthToken token) {
    return new IamRedisCredentials(token);
  }

  /** Always true: this provider streams renewed credentials, see {@link #credentials()}. */
  @Override
  public boolean supportsStreaming() {
    return true;
  }

  /**
   * A stream of fresh credentials for one connection: the first after the renewal policy's jittered
   * {@linkplain RenewalPolicy#nextReauthenticationDelay() re-authentication delay}, then again
   * after each further delay, until the subscriber cancels. Each subscriber gets its own timer, so
   * the connections of a pool re-authenticate at spread-out instants. Never fails and never blocks.
   */
  @Override
  public Flux<RedisCredentials> credentials() {
    return Flux.create(sink -> new Stream(sink).start());
  }

  /** The delay before retrying when no token could be had for a re-authentication. */
  Duration retryDelay() {
    Duration tenth = policy.reauthenticationInterval().dividedBy(10);
    return tenth.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : tenth;
  }

  @Override
  public String toString() {
    return "IamRedisCredentialsProvider["
        + tokens.target().description()
        + ", "
        + policy
        + ", open streams="
        + streams.get()
        + "]";
  }

  /** The re-authentication timer of one subscribed connection. */
  private final class Stream {
    private final FluxSink<RedisCredentials> sink;
    private final Object lock = new Object();
    private RefreshScheduler.@Nullable Cancellable timer;
    private boolean cancelled;

    Stream(FluxSink<RedisCredentials> sink) {
      this.sink = sink;
    }

    void start() {
      streams.incrementAndGet();
      sink.onDispose(this::cancel);
      schedule(policy.nextReauthenticationDelay());
    }

    private void schedule(Duration delay) {
      synchronized (lock) {
        if (cancelled) {
          return;
        }
        timer = scheduler.schedule(this::tick, delay);
      }
    }

    private void cancel() {
      RefreshScheduler.Cancellable t;
      synchronized (lock) {
        if (cancelled) {
          return;
        }
        cancelled = true;
        t = timer;
        timer = null;
      }
      streams.decrementAndGet();
      if (t != null) {
        t.cancel();
      }
    }

    private boolean isCancelled() {
      synchronized (lock) {
        return cancelled;
      }
    }

    private void tick() {
      if (isCancelled()) {
        return;
      }
      // Never blocks: completed at once from the cache, or by the core's fetch threads.
      tokens.tokenAsync().whenComplete(this::onToken);
    }

    private void onToken(@Nullable AuthToken token, @Nullable Throwable error) {
      if (isCancelled()) {
        return;
      }
      if (token != null) {
        sink.next(credentialsOf(token));
        schedule(policy.nextReauthenticationDelay());
        return;
      }
      Throwable cause = unwrap(error);
      if (!(cause instanceof TokenUnavailableException)) {
        // The token provider was closed: nothing will ever come again.
        sink.complete();
        return;
      }
      Duration retry = retryDelay();
      tokens.report(
          new IamAuthEvent.ReauthenticationFailed(
              tokens.target(),
              tokens.clock().instant(),
              "a Lettuce connection (no usable token; retrying in " + retry + ")",
              cause));
      schedule(retry);
    }
  }

  private static Throwable unwrap(@Nullable Throwable t) {
    Throwable e = t == null ? new IllegalStateException("no token and no error") : t;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
