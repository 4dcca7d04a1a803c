package io.github.iamauth4j.testkit.server;

import java.nio.file.Path;
import java.util.Collection;
import org.jspecify.annotations.Nullable;

/**
 * Thrown when a server was found but did not start: it exited, did not answer within the startup
 * timeout, or rejected the launcher's own setup. The message names the server and ends with the
 * tail of its log; the full log is kept at {@link #logFile()}.
 */
public final class ServerStartException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient @Nullable Path logFile;

  /**
   * Creates the exception.
   *
   * @param message what failed, including the tail of the server log
   * @param logFile the kept server log, or {@code null} if there is none
   * @param cause the underlying failure, or {@code null}
   */
  public ServerStartException(String message, @Nullable Path logFile, @Nullable Throwable cause) {
    super(message, cause);
    this.logFile = logFile;
  }

  /**
   * Returns the server log, which is kept on disk after a failed start.
   *
   * @return the path of the server log, or {@code null} if there is none (e.g. after
   *     deserialization)
   */
  public @Nullable Path logFile() {
    return logFile;
  }

  /**
   * Creates the exception with a message that ends with the tail of the log.
   *
   * @param what what failed
   * @param secrets passwords to mask in the message
   */
  static ServerStartException withLog(
      String what, Path logFile, Collection<String> secrets, @Nullable Throwable cause) {
    return new ServerStartException(
        Redact.text(what, secrets)
            + "; log kept at "
            + logFile
            + ", last lines:\n"
            + Redact.text(LocalProcess.tail(logFile, 40), secrets),
        logFile,
        cause);
  }
}
