package io.github.iamauth4j.lettuce;

import io.github.iamauth4j.core.AuthToken;
import io.lettuce.core.RedisCredentials;

/**
 * One token as Lettuce credentials: the target's user name and the token as the password. Each
 * {@link #getPassword()} returns a fresh copy, since Lettuce may zero the array it is given.
 */
final class IamRedisCredentials implements RedisCredentials {
  private final AuthToken token;

  IamRedisCredentials(AuthToken token) {
    this.token = token;
  }

  AuthToken token() {
    return token;
  }

  @Override
  public String getUsername() {
    return token.userName();
  }

  @Override
  public boolean hasUsername() {
    return true;
  }

  @Override
  public char[] getPassword() {
    return token.valueChars();
  }

  @Override
  public boolean hasPassword() {
    return true;
  }

  /** Redacted: the target and the token's times, never the token. */
  @Override
  public String toString() {
    return "IamRedisCredentials["
        + token.target().description()
        + ", usableUntil="
        + token.usableUntil()
        + ", password=<redacted>]";
  }
}
