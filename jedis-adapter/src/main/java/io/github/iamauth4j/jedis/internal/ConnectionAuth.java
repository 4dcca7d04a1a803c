package io.github.iamauth4j.jedis.internal;

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
 * migration from passwords ({@link PasswordFallbacks}; its {@link PasswordFallbacks.Session} counts
 * it in {@code stats()} until it closes).
 *
 * <p>Without a fallback configured this is the renewal alone, as before: the cached token when due,
 * a refusal reported and retried later. With one:
 *
 * <ul>
 *   <li>a connection on IAM, when due, re-authenticates with what a new connection would get: the
 *       token, or the password when no usable token can be had or IAM is set aside after a refusal,
 *       so that the server does not close it at its limit as an IAM connection;
 *   <li>a connection on the password, when due, tries IAM again once a usable token exists and IAM
 *       is not set aside, so a fixed IAM setup brings every connection back without a restart;
 *       until then it stays as it is, quietly (the fallback was reported when it happened);
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
  private final PasswordFallbacks.Session session;
  private volatile Mode mode;

  /**
   * Starts tracking a connection that has just authenticated.
   *
   * @param renewals the client's renewals
   * @param connection its description, for events
   * @param credentials what it authenticated with
   */
  ConnectionAuth(
      ConnectionRenewals renewals, String connection, ConnectionCredentials credentials) {
    this.tokens = renewals.tokens();
    this.fallbacks = tokens.passwordFallbacks();
    this.renewal = renewals.track(connection);
    this.session = fallbacks.opened(connection, credentials);
    this.mode = credentials.mode();
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
   */
  @Nullable ConnectionCredentials due() {
    if (!fallbacks.enabled()) {
      AuthToken token = renewal.reauthenticationDue();
      return token == null ? null : ConnectionCredentials.iam(token);
    }
    if (!renewal.isReauthenticationDue()) {
      return null;
    }
    if (mode == Mode.PASSWORD) {
      if (fallbacks.iamSetAsideUntil() != null) {
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
   * The server accepted {@code credentials}: the next re-authentication falls due after a fresh
   * interval, and the connection counts as on their mode.
   */
  void accepted(ConnectionCredentials credentials) {
    renewal.reauthenticated();
    mode = credentials.mode();
    session.authenticated(credentials);
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

  /** Sending the credentials failed: the connection is broken. */
  void failed(RuntimeException error) {
    renewal.reauthenticationFailed(error);
  }

  /** The connection is closed: no longer tracked or counted. Idempotent. */
  @Override
  public void close() {
    session.close();
    renewal.close();
  }

  @Override
  public String toString() {
    return "ConnectionAuth[" + renewal.connection() + ", " + mode + "]";
  }
}
