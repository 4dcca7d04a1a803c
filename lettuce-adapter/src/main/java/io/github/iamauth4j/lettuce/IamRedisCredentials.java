package io.github.iamauth4j.lettuce;

import io.github.iamauth4j.core.ConnectionCredentials;
import io.github.iamauth4j.core.IamTarget;
import io.lettuce.core.RedisCredentials;

/**
 * One connection's credentials as Lettuce credentials: the target's user name and an IAM token, or,
 * during a migration from passwords, the fallback user and password. Each {@link #getPassword()}
 * returns a fresh copy, since Lettuce may zero the array it is given.
 */
final class IamRedisCredentials implements RedisCredentials {
  private final ConnectionCredentials credentials;
  private final IamTarget target;

  IamRedisCredentials(ConnectionCredentials credentials, IamTarget target) {
    this.credentials = credentials;
    this.target = target;
  }

  ConnectionCredentials credentials() {
    return credentials;
  }

  @Override
  public String getUsername() {
    return credentials.user();
  }

  @Override
  public boolean hasUsername() {
    return true;
  }

  @Override
  public char[] getPassword() {
    return credentials.secret().toCharArray();
  }

  @Override
  public boolean hasPassword() {
    return true;
  }

  /** Redacted: the target, IAM or the password, and the user; never the token or password. */
  @Override
  public String toString() {
    return "IamRedisCredentials["
        + target.description()
        + ", "
        + credentials
        + ", password=<redacted>]";
  }
}
