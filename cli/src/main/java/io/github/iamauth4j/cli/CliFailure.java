package io.github.iamauth4j.cli;

import org.jspecify.annotations.Nullable;

/**
 * A failure the command explains in one line on stderr (exit code 1, or 2 when its cause is an
 * option value the core rejects). The message names the option or the cause and never contains a
 * token or secret.
 */
final class CliFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CliFailure(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
