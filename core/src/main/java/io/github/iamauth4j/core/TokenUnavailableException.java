package io.github.iamauth4j.core;

import org.jspecify.annotations.Nullable;

/**
 * No usable token can be handed out: the first token could not be minted, or every token has
 * expired while the credential source keeps failing. The cause, when present, is the last failure.
 * Thrown at once rather than letting a caller hang.
 */
public class TokenUnavailableException extends IamAuthException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what failed, naming the target
   * @param cause the last failure, if any
   */
  public TokenUnavailableException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
