package io.github.iamauth4j.core;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Something that happened to a target's tokens or connections, told to {@link IamAuthListener}s.
 * The token provider reports token events; adapters report connection events through {@link
 * IamTokenProvider#events()}. No event carries a token or secret. More event types may be added:
 * listeners should ignore the ones they do not know (no exhaustive switch).
 */
public sealed interface IamAuthEvent {

  /** The target concerned. */
  IamTarget target();

  /** When it happened. */
  Instant at();

  /**
   * A new token was signed and is now handed out.
   *
   * @param target the target
   * @param at the signing instant
   * @param usableUntil until when the server accepts it
   * @param refreshAt when the provider will replace it
   */
  record TokenIssued(IamTarget target, Instant at, Instant usableUntil, Instant refreshAt)
      implements IamAuthEvent {}

  /**
   * A token could not be signed (usually: no credentials). The provider retries.
   *
   * @param target the target
   * @param at when the attempt failed
   * @param cause why
   * @param attempt failed attempts in a row, from 1
   * @param nextRetryIn when the provider tries again
   * @param stillUsableUntil until when the previous token is still handed out, or null if none
   */
  record RefreshFailed(
      IamTarget target,
      Instant at,
      Throwable cause,
      int attempt,
      Duration nextRetryIn,
      @Nullable Instant stillUsableUntil)
      implements IamAuthEvent {}

  /**
   * A live connection was re-authenticated with a fresh token.
   *
   * @param target the target
   * @param at when
   * @param connection a description of the connection (no secrets)
   */
  record ConnectionReauthenticated(IamTarget target, Instant at, String connection)
      implements IamAuthEvent {}

  /**
   * Re-authenticating a live connection failed; the adapter retries before the server limit.
   *
   * @param target the target
   * @param at when
   * @param connection a description of the connection
   * @param cause why
   */
  record ReauthenticationFailed(IamTarget target, Instant at, String connection, Throwable cause)
      implements IamAuthEvent {}

  /**
   * A connection was closed by the adapter because it reached its maximum age.
   *
   * @param target the target
   * @param at when
   * @param connection a description of the connection
   * @param age how long it had been open
   */
  record ConnectionRetired(IamTarget target, Instant at, String connection, Duration age)
      implements IamAuthEvent {}

  /**
   * A connection authenticated with the {@linkplain FallbackPassword fallback password} instead of
   * an IAM token (a migration from passwords). Logged at WARN.
   *
   * @param target the target
   * @param at when
   * @param connection a description of the connection
   * @param reason why IAM was not used
   * @param user the password user it authenticated as
   * @param detail what went wrong with IAM, without secrets
   */
  record PasswordFallback(
      IamTarget target, Instant at, String connection, Reason reason, String user, String detail)
      implements IamAuthEvent {

    /** Why a connection fell back to the password. */
    public enum Reason {
      /** No usable token could be had: credentials missing or expired, or signing failed. */
      NO_USABLE_TOKEN,
      /**
       * The server refused the token ({@code WRONGPASS}, PostgreSQL's PAM error, MySQL's 1045), or
       * it was refused shortly before and IAM is set aside until its retry time.
       */
      TOKEN_REFUSED
    }
  }
}
