package io.github.iamauth4j.testkit.server;

/**
 * Thrown by a launcher when it has no way to get a server: the server's binaries are not installed
 * and no container can be started instead (no Docker engine reachable, Testcontainers not on the
 * classpath, or the container fallback turned off).
 *
 * <p>The message names what was looked for, where, and both ways to get a server, e.g. {@code
 * redis-server not found (looked in /usr/bin, /usr/local/bin, PATH); install it (apt-get install
 * redis-server) or make a Docker engine reachable for Testcontainers (no Docker engine is
 * reachable)}.
 */
public final class ServerUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what is missing and how to get it
   */
  public ServerUnavailableException(String message) {
    super(message);
  }
}
