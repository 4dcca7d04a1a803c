package io.github.iamauth4j.core;

import org.jspecify.annotations.Nullable;

/**
 * Base of every exception iamauth4j throws. Messages never contain a token, a secret key or a
 * session token.
 */
public class IamAuthException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what went wrong, naming the target or setting
   */
  public IamAuthException(String message) {
    super(message);
  }

  /**
   * @param message what went wrong, naming the target or setting
   * @param cause the underlying failure
   */
  public IamAuthException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
