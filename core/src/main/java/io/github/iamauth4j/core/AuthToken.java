package io.github.iamauth4j.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A signed IAM auth token: the password a client presents, with the user name it goes with and the
 * times that bound its use. A bearer secret: {@link #toString()} never shows the value.
 */
public final class AuthToken {
  private final IamTarget target;
  private final String value;
  private final Instant issuedAt;
  private final Instant expiresAt;
  private final Instant usableUntil;

  /**
   * @param target what the token authorises
   * @param value the token (the password)
   * @param issuedAt the signing instant
   * @param expiresAt issued-at plus the signed expiry
   * @param usableUntil the earlier of {@code expiresAt} and the signing credentials' expiration
   */
  public AuthToken(
      IamTarget target, String value, Instant issuedAt, Instant expiresAt, Instant usableUntil) {
    this.target = Objects.requireNonNull(target, "target");
    this.value = Objects.requireNonNull(value, "value");
    this.issuedAt = Objects.requireNonNull(issuedAt, "issuedAt");
    this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
    this.usableUntil = Objects.requireNonNull(usableUntil, "usableUntil");
  }

  /** What the token authorises. */
  public IamTarget target() {
    return target;
  }

  /** The user name to present together with the token. */
  public String userName() {
    return target.userName();
  }

  /** The token itself: pass it as the password. Never log it. */
  public String value() {
    return value;
  }

  /** A fresh copy of the token as characters, for APIs that take (and zero) a {@code char[]}. */
  public char[] valueChars() {
    return value.toCharArray();
  }

  /** When the token was signed. */
  public Instant issuedAt() {
    return issuedAt;
  }

  /** When the signed expiry ends (issued-at plus {@code X-Amz-Expires}). */
  public Instant expiresAt() {
    return expiresAt;
  }

  /**
   * Until when the server accepts the token: the signed expiry, or earlier when the temporary
   * credentials that signed it expire first.
   */
  public Instant usableUntil() {
    return usableUntil;
  }

  /** The usable life from signing, {@code usableUntil - issuedAt}. */
  public Duration usableLife() {
    return Duration.between(issuedAt, usableUntil);
  }

  /**
   * Whether the token still has at least {@code margin} of usable life at {@code now}.
   *
   * @param now the instant to judge at
   * @param margin the life that must remain
   */
  public boolean isUsableAt(Instant now, Duration margin) {
    return now.plus(margin).isBefore(usableUntil);
  }

  /** Redacted: shows the target and times, never the value. */
  @Override
  public String toString() {
    return "AuthToken["
        + target.description()
        + ", issuedAt="
        + issuedAt
        + ", usableUntil="
        + usableUntil
        + ", value=<redacted>]";
  }
}
