package io.github.iamauth4j.testkit.server;

import org.jspecify.annotations.Nullable;

/**
 * Whether the Testcontainers fallback can be used: Testcontainers on the classpath and a Docker
 * engine reachable. The check runs at most once per JVM, and only when some server's binaries are
 * missing.
 */
final class Containers {
  private static final Object LOCK = new Object();
  private static boolean checked;
  private static @Nullable String reason;

  private Containers() {}

  /**
   * Returns why containers cannot be used, or {@code null} when they can.
   *
   * @param enabled whether the caller allows the container fallback
   */
  static @Nullable String unavailableReason(boolean enabled) {
    if (!enabled) {
      return "the container fallback is turned off for this launcher";
    }
    synchronized (LOCK) {
      if (!checked) {
        reason = probe();
        checked = true;
      }
      return reason;
    }
  }

  private static @Nullable String probe() {
    try {
      Class.forName(
          "org.testcontainers.DockerClientFactory", false, Containers.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return "Testcontainers (org.testcontainers:testcontainers) is not on the classpath";
    }
    try {
      return ContainerServers.dockerAvailable() ? null : "no Docker engine is reachable";
    } catch (RuntimeException | LinkageError e) {
      return "no Docker engine is reachable: " + e;
    }
  }

  /**
   * Builds the {@link ServerUnavailableException} for a program that is not installed.
   *
   * @param program what was looked for, e.g. {@code redis-server}
   * @param lookedIn where, as {@link Binaries#describe(java.util.List)} says it
   * @param install how to install it, e.g. {@code apt-get install redis-server}
   * @param reason why containers cannot be used
   */
  static ServerUnavailableException unavailable(
      String program, String lookedIn, String install, String reason) {
    return new ServerUnavailableException(
        program
            + " not found (looked in "
            + lookedIn
            + "); install it ("
            + install
            + ") or make a Docker engine reachable for Testcontainers ("
            + reason
            + ")");
  }
}
