package io.github.iamauth4j.testkit.server;

/** A running server process or container, as far as stopping it goes. */
interface ServerHandle {
  /**
   * Stops the server, gracefully and then forcibly.
   *
   * @return {@code true} if the server was still running when asked to stop and stopped cleanly;
   *     {@code false} if it had died before or had to be killed (its log is then worth keeping)
   */
  boolean stop();
}
