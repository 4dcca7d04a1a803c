package io.github.iamauth4j.testkit.server;

/**
 * Thrown when a command a launcher runs against its server fails, e.g. an SQL statement passed to
 * {@link PostgresServer#execute(String)} or {@link MariaDbServer#execute(String)} that the server
 * rejects, or a client that cannot connect. The message holds the client's error output (with known
 * passwords masked) and the exit code.
 */
public final class ServerCommandException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The client's exit code, or -1. */
  private final int exitCode;

  /**
   * Creates the exception.
   *
   * @param message what failed, with the client's error output
   * @param exitCode the client's exit code, or {@code -1} if it did not exit normally
   */
  public ServerCommandException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  /**
   * Returns the exit code of the client that ran the command.
   *
   * @return the exit code, or {@code -1} if the client timed out or could not be started
   */
  public int exitCode() {
    return exitCode;
  }
}
