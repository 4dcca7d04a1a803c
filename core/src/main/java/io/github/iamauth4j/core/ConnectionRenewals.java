package io.github.iamauth4j.core;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Keeps each connection of a client inside the server's limit, whatever hook the client offers: for
 * one connection it hands over fresh credentials at the {@link RenewalPolicy}'s jittered instant,
 * never blocking a caller, retrying while no usable token exists (each failure reported as {@link
 * IamAuthEvent.ReauthenticationFailed}), and it stops when the connection goes.
 *
 * <p>Three shapes, one per kind of client hook:
 *
 * <ul>
 *   <li>{@link #stream(String, Consumer, Runnable)}: push, for clients that take a stream of
 *       credentials per connection (Lettuce's {@code RedisCredentialsProvider.credentials()}).
 *   <li>{@link #next(String)}: one future per renewal, for clients that ask "when is the next
 *       renewal?" per connection (Redisson's {@code CredentialsResolver.nextRenewal()}).
 *   <li>{@link #track(String)}: pull, for pools that call the adapter at safe moments (a
 *       commons-pool2 factory's validate, activate and passivate hooks, as Jedis and valkey-java
 *       use): the {@link ConnectionRenewal} says whether re-authentication or retirement (by
 *       jittered {@linkplain RenewalPolicy#maxConnectionAge() maximum age}) is due now.
 * </ul>
 *
 * <pre>{@code
 * ConnectionRenewals renewals = ConnectionRenewals.of(tokens, RenewalPolicy.defaults());
 * AutoCloseable handle = renewals.stream("Lettuce connection 1", token -> sendAuth(token), () -> {});
 * }</pre>
 *
 * <p>Timers run on the token provider's {@link RefreshScheduler}. Thread-safe.
 */
public final class ConnectionRenewals {
  private final IamTokenProvider tokens;
  private final RenewalPolicy policy;
  private final RefreshScheduler scheduler;
  private final AtomicInteger open = new AtomicInteger();

  private ConnectionRenewals(
      IamTokenProvider tokens, RenewalPolicy policy, RefreshScheduler scheduler) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
  }

  /**
   * Renewals of connections authenticated with {@code tokens}, paced by {@code policy}, with timers
   * on the token provider's scheduler.
   *
   * @param tokens the token cache shared by the client's connections
   * @param policy the renewal policy
   * @return the renewals
   */
  public static ConnectionRenewals of(IamTokenProvider tokens, RenewalPolicy policy) {
    return new ConnectionRenewals(tokens, policy, tokens.scheduler());
  }

  /**
   * As {@link #of(IamTokenProvider, RenewalPolicy)}, with timers on {@code scheduler} (tests drive
   * time by hand with their own).
   *
   * @param tokens the token cache
   * @param policy the renewal policy
   * @param scheduler where timers run
   * @return the renewals
   */
  public static ConnectionRenewals of(
      IamTokenProvider tokens, RenewalPolicy policy, RefreshScheduler scheduler) {
    return new ConnectionRenewals(tokens, policy, scheduler);
  }

  /** The token cache the credentials come from. */
  public IamTokenProvider tokens() {
    return tokens;
  }

  /** The policy pacing the renewals. */
  public RenewalPolicy policy() {
    return policy;
  }

  /** Where the connection events go (the token provider's). */
  public IamAuthEvents events() {
    return tokens.events();
  }

  /** The number of connections renewed now: open streams, pending futures and tracked ones. */
  public int open() {
    return open.get();
  }

  /**
   * The delay before trying again when no usable token could be had for a renewal, or the client
   * failed to re-authenticate: a tenth of the re-authentication interval, at least 1 second, so
   * there are many tries before the limit.
   */
  public Duration retryDelay() {
    Duration tenth = policy.reauthenticationInterval().dividedBy(10);
    return tenth.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : tenth;
  }

  /**
   * Calls {@code onCredentials} with a usable token after each jittered re-authentication delay,
   * never at once, until the returned handle is closed. Never blocks and never fails: when no
   * usable token can be had it reports {@link IamAuthEvent.ReauthenticationFailed} and tries again
   * after {@link #retryDelay()}. When the token provider is closed the stream ends and {@code
   * onEnd} runs.
   *
   * @param connection a description of the connection for events, without secrets
   * @param onCredentials receives each token; runs on a scheduler or fetch thread, must not block
   * @param onEnd runs once if the stream ends because the token provider was closed
   * @return closing it stops the stream (idempotent)
   */
  public AutoCloseable stream(
      String connection, Consumer<AuthToken> onCredentials, Runnable onEnd) {
    Stream s = new Stream(connection, onCredentials, onEnd);
    s.start();
    return s::cancel;
  }

  /**
   * A future completed with a usable token at this connection's next jittered re-authentication
   * instant. It does not fail while the provider lives: failures to get a token are reported and
   * retried. It fails with {@link IllegalStateException} when the token provider is closed.
   * Cancelling it stops its timer.
   *
   * @param connection a description of the connection for events, without secrets
   * @return the future
   */
  public CompletableFuture<AuthToken> next(String connection) {
    CompletableFuture<AuthToken> result = new CompletableFuture<>();
    Stream s =
        new Stream(
            connection,
            result::complete,
            () ->
                result.completeExceptionally(
                    new IllegalStateException(
                        "the token provider for " + tokens.target().description() + " is closed")));
    s.once = true;
    result.whenComplete((t, e) -> s.cancel());
    s.start();
    return result;
  }

  /**
   * Starts tracking one connection that is renewed at moments its pool chooses (see {@link
   * ConnectionRenewal}), as authenticated now; for one whose last authentication is unknown, call
   * {@link ConnectionRenewal#reauthenticateNow()} next. Close the result when the connection is
   * destroyed: {@link #open()} counts it until then.
   *
   * @param connection a description of the connection for events, without secrets
   * @return the connection's renewal state, starting now
   */
  public ConnectionRenewal track(String connection) {
    open.incrementAndGet();
    return new ConnectionRenewal(this, connection, open::decrementAndGet);
  }

  @Override
  public String toString() {
    return "ConnectionRenewals["
        + tokens.target().description()
        + ", "
        + policy
        + ", open="
        + open.get()
        + "]";
  }

  /** The timer of one connection. */
  private final class Stream {
    private final String connection;
    private final Consumer<AuthToken> onCredentials;
    private final Runnable onEnd;
    private final Object lock = new Object();
    private RefreshScheduler.@Nullable Cancellable timer;
    private boolean cancelled;
    private boolean started;
    boolean once;

    Stream(String connection, Consumer<AuthToken> onCredentials, Runnable onEnd) {
      this.connection = Objects.requireNonNull(connection, "connection");
      this.onCredentials = Objects.requireNonNull(onCredentials, "onCredentials");
      this.onEnd = Objects.requireNonNull(onEnd, "onEnd");
    }

    void start() {
      synchronized (lock) {
        if (cancelled) {
          return;
        }
        started = true;
      }
      open.incrementAndGet();
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

    void cancel() {
      RefreshScheduler.Cancellable t;
      boolean wasStarted;
      synchronized (lock) {
        if (cancelled) {
          return;
        }
        cancelled = true;
        wasStarted = started;
        t = timer;
        timer = null;
      }
      if (wasStarted) {
        open.decrementAndGet();
      }
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
        try {
          onCredentials.accept(token);
        } catch (RuntimeException e) {
          tokens.events().reauthenticationFailed(connection, e);
        }
        if (!once) {
          schedule(policy.nextReauthenticationDelay());
        }
        return;
      }
      Throwable cause = unwrap(error);
      if (!(cause instanceof TokenUnavailableException)) {
        // The token provider was closed: nothing will ever come again.
        cancel();
        onEnd.run();
        return;
      }
      Duration retry = retryDelay();
      tokens
          .events()
          .reauthenticationFailed(
              connection + " (no usable token; retrying in " + retry + ")", cause);
      schedule(retry);
    }
  }

  static Throwable unwrap(@Nullable Throwable t) {
    Throwable e = t == null ? new IllegalStateException("no token and no error") : t;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
