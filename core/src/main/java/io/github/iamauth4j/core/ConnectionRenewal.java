package io.github.iamauth4j.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The renewal state of one pooled connection, for clients whose pool calls the adapter at safe
 * moments instead of offering a re-authentication hook (a commons-pool2 factory's {@code
 * validateObject}, {@code activateObject} and {@code passivateObject}, as Jedis and valkey-java
 * pools use). Made by {@link ConnectionRenewals#track(String)} when the connection opens.
 *
 * <p>At each safe moment the pool's factory asks:
 *
 * <pre>{@code
 * if (renewal.retirementDue()) return false;            // destroy it: too old (reported)
 * AuthToken token = renewal.reauthenticationDue();     // null unless due and a token is ready
 * if (token != null) {
 *   try { connection.auth(token.userName(), token.value()); renewal.reauthenticated(); }
 *   catch (RuntimeException e) { renewal.reauthenticationFailed(e); }
 * }
 * }</pre>
 *
 * <p>Re-authentication falls due on the policy's jittered interval from the last success (a failure
 * is tried again after {@link ConnectionRenewals#retryDelay()}), or at once after {@link
 * #reauthenticateNow()} (a connection whose last authentication is unknown); retirement at the
 * connection's jittered maximum age, drawn once when tracking starts so that connections opened
 * together do not all retire together. No method blocks. Thread-safe.
 */
public final class ConnectionRenewal implements AutoCloseable {
  private final ConnectionRenewals renewals;
  private final String connection;
  private final Clock clock;
  private final Instant openedAt;
  private Instant retireAt; // guarded by this
  private final Runnable onClose;
  private Instant reauthenticateAt; // guarded by this
  private boolean retired; // guarded by this
  private boolean closed; // guarded by this

  ConnectionRenewal(ConnectionRenewals renewals, String connection, Runnable onClose) {
    this.renewals = renewals;
    this.connection = connection;
    this.clock = renewals.tokens().clock();
    this.onClose = onClose;
    this.openedAt = clock.instant();
    RenewalPolicy policy = renewals.policy();
    this.reauthenticateAt = openedAt.plus(policy.nextReauthenticationDelay());
    this.retireAt = openedAt.plus(policy.nextMaxConnectionAge());
  }

  /** The description of the connection used in events. */
  public String connection() {
    return connection;
  }

  /** When tracking started (the connection opened). */
  public Instant openedAt() {
    return openedAt;
  }

  /** How long the connection has been open. */
  public Duration age() {
    return Duration.between(openedAt, clock.instant());
  }

  /** When re-authentication is next due. */
  public synchronized Instant reauthenticateAt() {
    return reauthenticateAt;
  }

  /**
   * When the connection is to be retired: its jittered maximum age from when it last authenticated
   * (opening, or the last {@link #reauthenticated()}), so that a connection that keeps
   * re-authenticating is never retired.
   */
  public synchronized Instant retireAt() {
    return retireAt;
  }

  /**
   * The token to re-authenticate with now, or null when re-authentication is not due yet or no
   * token is ready. Never blocks: when due, it takes the cached token; while the first fetch or a
   * refresh is under way it returns null (ask again at the next safe moment); when no usable token
   * can be had it reports {@link IamAuthEvent.ReauthenticationFailed} and postpones by {@link
   * ConnectionRenewals#retryDelay()}. After a non-null answer, call {@link #reauthenticated()} or
   * {@link #reauthenticationFailed(Throwable)}.
   */
  public @Nullable AuthToken reauthenticationDue() {
    Instant now = clock.instant();
    synchronized (this) {
      if (closed || now.isBefore(reauthenticateAt)) {
        return null;
      }
    }
    CompletableFuture<AuthToken> f = renewals.tokens().tokenAsync();
    if (!f.isDone()) {
      return null;
    }
    try {
      return f.join();
    } catch (RuntimeException e) {
      Throwable cause = ConnectionRenewals.unwrap(e);
      postpone(renewals.retryDelay());
      renewals.events().reauthenticationFailed(connection + " (no usable token)", cause);
      return null;
    }
  }

  /**
   * Whether re-authentication is due now ({@link #reauthenticationDue()} may still answer null when
   * no token is ready). Cheap: no token is asked for.
   */
  public boolean isReauthenticationDue() {
    Instant now = clock.instant();
    synchronized (this) {
      return !closed && !now.isBefore(reauthenticateAt);
    }
  }

  /**
   * The connection re-authenticated with the token {@link #reauthenticationDue()} gave: reports
   * {@link IamAuthEvent.ConnectionReauthenticated}; the next one falls due after a fresh jittered
   * interval, and retirement moves to a fresh jittered maximum age from now.
   */
  public void reauthenticated() {
    postpone(renewals.policy().nextReauthenticationDelay());
    Instant newRetireAt = clock.instant().plus(renewals.policy().nextMaxConnectionAge());
    synchronized (this) {
      retireAt = newRetireAt;
    }
    renewals.events().reauthenticated(connection);
  }

  /**
   * The connection failed to re-authenticate: reports {@link IamAuthEvent.ReauthenticationFailed};
   * it is tried again after {@link ConnectionRenewals#retryDelay()}.
   *
   * @param cause why
   */
  public void reauthenticationFailed(Throwable cause) {
    postpone(renewals.retryDelay());
    renewals.events().reauthenticationFailed(connection, cause);
  }

  /**
   * Makes re-authentication due now: the next {@link #reauthenticationDue()} hands over a token (if
   * one is ready). For a connection whose last authentication is unknown when tracking starts (one
   * found in a pool the adapter did not build), which the {@code AUTH} also proves alive; or to
   * renew a connection just before it is held for a long time (a subscriber), so that it starts
   * with a whole interval. Retirement is unchanged; a closed renewal stays closed.
   */
  public void reauthenticateNow() {
    Instant now = clock.instant();
    synchronized (this) {
      reauthenticateAt = now;
    }
  }

  private void postpone(Duration delay) {
    Instant at = clock.instant().plus(delay);
    synchronized (this) {
      reauthenticateAt = at;
    }
  }

  /**
   * Whether the connection has reached its jittered maximum age and should be closed now, so that
   * the server never closes it at its limit. The first true answer reports {@link
   * IamAuthEvent.ConnectionRetired}.
   */
  public boolean retirementDue() {
    Instant now = clock.instant();
    synchronized (this) {
      if (closed || now.isBefore(retireAt)) {
        return false;
      }
      if (retired) {
        return true;
      }
      retired = true;
    }
    renewals.events().retired(connection, Duration.between(openedAt, now));
    return true;
  }

  /** Stops tracking (the connection was destroyed). Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    onClose.run();
  }

  @Override
  public synchronized String toString() {
    return "ConnectionRenewal["
        + connection
        + ", opened "
        + openedAt
        + ", reauthenticate at "
        + reauthenticateAt
        + ", retire at "
        + retireAt
        + (closed ? ", closed" : "")
        + "]";
  }
}
