package io.github.iamauth4j.core;

import io.github.iamauth4j.core.internal.Texts;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The user name and secret one connection authenticates with: an IAM token, or, during a migration
 * from passwords, the {@linkplain FallbackPassword fallback password}. Handed out by {@link
 * PasswordFallbacks}. The {@code toString()} never shows the secret.
 */
public final class ConnectionCredentials {
  /** How a connection authenticated. */
  public enum Mode {
    /** With an IAM auth token. */
    IAM,
    /** With the fallback password. */
    PASSWORD
  }

  private final Mode mode;
  private final String user;
  private final String secret;
  private final IamAuthEvent.PasswordFallback.@Nullable Reason reason;

  private ConnectionCredentials(
      Mode mode,
      String user,
      String secret,
      IamAuthEvent.PasswordFallback.@Nullable Reason reason) {
    this.mode = mode;
    this.user = Objects.requireNonNull(user, "user");
    this.secret = Objects.requireNonNull(secret, "secret");
    this.reason = reason;
  }

  /**
   * Credentials of an IAM token.
   *
   * @param token the token
   */
  public static ConnectionCredentials iam(AuthToken token) {
    return new ConnectionCredentials(Mode.IAM, token.userName(), token.value(), null);
  }

  static ConnectionCredentials password(
      String user, String password, IamAuthEvent.PasswordFallback.Reason reason) {
    return new ConnectionCredentials(Mode.PASSWORD, user, password, reason);
  }

  /** IAM or the fallback password. */
  public Mode mode() {
    return mode;
  }

  /** Whether these are IAM credentials. */
  public boolean isIam() {
    return mode == Mode.IAM;
  }

  /** The user name to authenticate as. */
  public String user() {
    return user;
  }

  /** The token or password: send it to the server, never log it. */
  public String secret() {
    return secret;
  }

  /** Why the password is used, or null for IAM credentials. */
  public IamAuthEvent.PasswordFallback.@Nullable Reason reason() {
    return reason;
  }

  /** The mode and user; never the secret. */
  @Override
  public String toString() {
    return "ConnectionCredentials["
        + mode
        + ", user "
        + Texts.quoteIfSafe(user)
        + (reason == null ? "" : ", " + reason)
        + "]";
  }
}
