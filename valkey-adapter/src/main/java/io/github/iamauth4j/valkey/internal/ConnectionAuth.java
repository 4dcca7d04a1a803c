package io.github.iamauth4j.valkey.internal;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.ConnectionCredentials;
import io.github.iamauth4j.core.ConnectionCredentials.Mode;
import io.github.iamauth4j.core.ConnectionRenewal;
import io.github.iamauth4j.core.ConnectionRenewals;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.PasswordFallbacks;
import io.github.iamauth4j.core.TokenUnavailableException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/**
 * One pooled connection's authentication over its life: when it is due to re-authenticate (its
 * {@link ConnectionRenewal}), with what, and which it is on now, IAM or the fallback password of a
 * migration from passwords ({@link PasswordFallbacks}; a connection of the adapter's own pools is
 * counted in {@code stats()} by its {@link PasswordFallbacks.Session} until it closes).
 *
 * <p>Without a fallback configured this is the renewal alone, as before: the cached token when due,
 * a refusal reported and retried later. With one:
 *
 * <ul>
 *   <li>a connection on IAM (or one of an app's pool, whose authentication is unknown), when due,
 *       re-authenticates with what a new connection would get: the token, or the password when no
 *       usable token can be had or IAM is set aside after a refusal, so that the server does not
 *       close it at its limit as an IAM connection;
 *   <li>a connection on the password, when due, tries IAM again once a usable token exists and IAM
 *       is not set aside, so a fixed IAM setup brings every connection back without a restart;
 *       until then it stays as it is, quietly (the fallback was reported when it happened). While a
 *       subscriber listens on it, it stays on the password: valkey-java's subscriber reads the
 *       reply to an in-band {@code AUTH}, and a refusal would end the subscription;
 *   <li>a token the server refuses ({@code WRONGPASS}) is {@linkplain PasswordFallbacks#refused
 *       reported to the fallbacks}, which set IAM aside; a connection on IAM then re-authenticates
 *       with the password at once, one already on the password stays on it.
 * </ul>
 *
 * <p>Never blocks. Thread-safe.
 */
final class ConnectionAuth implements AutoCloseable {
  private final ConnectionRenewal renewal;
  private final IamTokenProvider tokens;
  private final PasswordFallbacks fallbacks;
  private final PasswordFallbacks.@Nullable Session session;
  private volatile @Nullable Mode mode;

  private ConnectionAuth(
      ConnectionRenewal renewal,
      IamTokenProvider tokens,
      PasswordFallbacks.@Nullable Session session,
      @Nullable Mode mode) {
    this.renewal = renewal;
    this.tokens = tokens;
    this.fallbacks = tokens.passwordFallbacks();
    this.session = session;
    this.mode = mode;
  }

  /**
   * Starts tracking a connection that has just authenticated.
   *
   * @param renewals the client's renewals
   * @param connection its description, for events
   * @param credentials what it authenticated with
   */
  static ConnectionAuth opened(
      ConnectionRenewals renewals, String connection, ConnectionCredentials credentials) {
    IamTokenProvider tokens = renewals.tokens();
    return new ConnectionAuth(
        renewals.track(connection),
        tokens,
        tokens.passwordFallbacks().opened(connection, credentials),
        credentials.mode());
  }

  /**
   * Starts tracking a connection whose last authentication is unknown (one of an app's own pool):
   * due at once, and not counted among the open connections (its close is not seen), only its
   * re-authentications are.
   *
   * @param renewals the client's renewals
   * @param connection its description, for events
   */
  static ConnectionAuth found(ConnectionRenewals renewals, String connection) {
    ConnectionRenewal renewal = renewals.track(connection);
    renewal.reauthenticateNow();
    return new ConnectionAuth(renewal, renewals.tokens(), null, null);
  }

  /** The connection's renewal. */
  ConnectionRenewal renewal() {
    return renewal;
  }

  /** Whether the connection is on the fallback password now. */
  boolean onPassword() {
    return mode == Mode.PASSWORD;
  }

  /**
   * The credentials to re-authenticate with now, or null when not due, or nothing is to be sent yet
   * (a token fetch under way, or the connection stays on the password). After a non-null answer,
   * call {@link #accepted}, {@link #refused} or {@link #failed}.
   *
   * @param replyUnseen whether the reply will not be seen here (a subscriber's loop reads it): a
   *     connection on the password then stays on it rather than risk a refusal
   */
  @Nullable ConnectionCredentials due(boolean replyUnseen) {
    if (!fallbacks.enabled()) {
      AuthToken token = renewal.reauthenticationDue();
      return token == null ? null : ConnectionCredentials.iam(token);
    }
    if (!renewal.isReauthenticationDue()) {
      return null;
    }
    if (mode == Mode.PASSWORD) {
      if (replyUnseen || fallbacks.iamSetAsideUntil() != null) {
        return null;
      }
      CompletableFuture<AuthToken> f = tokens.tokenAsync();
      if (!f.isDone() || f.isCompletedExceptionally()) {
        return null;
      }
      AuthToken token = renewal.reauthenticationDue();
      return token == null ? null : ConnectionCredentials.iam(token);
    }
    if (!tokens.tokenAsync().isDone()) {
      // A fetch is under way: ask again at the next safe moment.
      return null;
    }
    CompletableFuture<ConnectionCredentials> c = fallbacks.credentialsAsync(renewal.connection());
    if (!c.isDone()) {
      return null;
    }
    try {
      return c.join();
    } catch (CompletionException | CancellationException e) {
      // Neither a token nor the password.
      renewal.reauthenticationFailed(e.getCause() != null ? e.getCause() : e);
      return null;
    }
  }

  /**
   * The server accepted {@code credentials} (or, in band, they were sent): the next
   * re-authentication falls due after a fresh interval, and the connection counts as on their mode.
   */
  void accepted(ConnectionCredentials credentials) {
    renewal.reauthenticated();
    mode = credentials.mode();
    PasswordFallbacks.Session s = session;
    if (s != null) {
      s.authenticated(credentials);
    } else {
      fallbacks.authenticated(credentials);
    }
  }

  /**
   * The server answered {@code credentials} with an error (the connection still works, on what it
   * authenticated with before).
   *
   * @return the password to re-authenticate with at once (a token refused on a connection on IAM),
   *     or null: the failure is handled (reported and retried later, or the connection stays on the
   *     password)
   */
  @Nullable ConnectionCredentials refused(
      ConnectionCredentials credentials, RuntimeException error) {
    RuntimeException refusal = credentials.isIam() ? Refusals.wrongPass(error) : null;
    if (refusal != null && fallbacks.enabled()) {
      ConnectionCredentials password;
      try {
        password = fallbacks.refused(renewal.connection(), refusal);
      } catch (TokenUnavailableException e) {
        renewal.reauthenticationFailed(e);
        return null;
      }
      if (password != null) {
        // On the password already: it stays; IAM is tried again once it is no longer set aside.
        return mode == Mode.PASSWORD ? null : password;
      }
    }
    renewal.reauthenticationFailed(error);
    return null;
  }

  /**
   * A subscription ended with {@code error} after a token was sent in band: if it is the server's
   * refusal, IAM is set aside (so the app's next subscription, on another connection, uses the
   * password) and reported.
   */
  void refusedInBand(RuntimeException error) {
    RuntimeException refusal = Refusals.wrongPass(error);
    if (refusal == null || !fallbacks.enabled()) {
      return;
    }
    try {
      fallbacks.refused(renewal.connection(), refusal);
    } catch (TokenUnavailableException e) {
      renewal.reauthenticationFailed(e);
    }
  }

  /** Sending the credentials failed: the connection is broken. */
  void failed(RuntimeException error) {
    renewal.reauthenticationFailed(error);
  }

  /** The connection is closed: no longer tracked or counted. Idempotent. */
  @Override
  public void close() {
    PasswordFallbacks.Session s = session;
    if (s != null) {
      s.close();
    }
    renewal.close();
  }

  @Override
  public String toString() {
    Mode m = mode;
    return "ConnectionAuth[" + renewal.connection() + ", " + (m == null ? "unknown" : m) + "]";
  }
}
