package io.github.iamauth4j.testkit.server;

import java.time.Duration;
import java.util.Objects;

/**
 * The options every standalone launcher has (startup timeout, keeping logs, the container
 * fallback), and the order in which it gets a server: the installed programs when they are found
 * (see {@link LocalStart}), else a container when the fallback is on and a Docker engine is
 * reachable, else one {@link ServerUnavailableException} that names both ways.
 *
 * @param <B> the launcher's builder, which the setters return
 * @param <S> the server it starts
 */
abstract class ServerBuilder<B extends ServerBuilder<B, S>, S extends LaunchedServer> {
  private Duration startupTimeout = Duration.ofSeconds(30);
  private boolean keepLogs = TempDirs.keepLogsByDefault();
  private boolean containerFallback = true;
  private String containerImage;

  ServerBuilder(String defaultImage) {
    this.containerImage = defaultImage;
  }

  /**
   * Sets how long {@link #start()} waits for the server to accept connections. Default: 30 seconds.
   *
   * @param timeout a positive duration
   * @return this builder
   * @throws IllegalArgumentException if {@code timeout} is not positive
   */
  public B startupTimeout(Duration timeout) {
    this.startupTimeout = Checks.positive("startupTimeout", timeout);
    return self();
  }

  /**
   * Keeps the server's directory, with its log and any data, after the server's {@code close()}.
   * Default: {@code false}, unless the system property {@code iamauth4j.testkit.keepLogs} is {@code
   * true}. The directory is always kept when the server fails.
   *
   * @param keepLogs whether to keep the directory
   * @return this builder
   */
  public B keepLogs(boolean keepLogs) {
    this.keepLogs = keepLogs;
    return self();
  }

  /**
   * Sets whether a container may be started when the server's programs are not installed. Default:
   * {@code true}.
   *
   * @param containerFallback whether to use Testcontainers as a fallback
   * @return this builder
   */
  public B containerFallback(boolean containerFallback) {
    this.containerFallback = containerFallback;
    return self();
  }

  /**
   * Sets the image of the fallback container, an image of the server's official family. Default:
   * the launcher's {@code DEFAULT_IMAGE}.
   *
   * @param image a Docker image name with tag, e.g. {@code valkey/valkey:8} for a Redis server
   * @return this builder
   * @throws IllegalArgumentException if {@code image} is blank
   */
  public B containerImage(String image) {
    if (Objects.requireNonNull(image, "image").isBlank()) {
      throw new IllegalArgumentException("containerImage: must not be blank");
    }
    this.containerImage = image;
    return self();
  }

  /**
   * Starts a server with these options and waits until it accepts connections.
   *
   * @return the running server; close it when done
   * @throws ServerUnavailableException if the server's programs are not installed and no container
   *     can be started
   * @throws ServerStartException if the server does not start
   */
  public abstract S start();

  /** Starts the server in a container, the launcher's way. */
  abstract S startContainer();

  /**
   * Starts the server in a container when the fallback is on and a Docker engine is reachable.
   *
   * @param missing the programs that were not found, e.g. {@code redis-server}
   * @param lookedIn where they were looked for
   * @param install how to install them, e.g. {@code apt-get install redis-server}
   * @throws ServerUnavailableException naming both ways to get a server, when no container can run
   */
  final S startInContainer(String missing, String lookedIn, String install) {
    String reason = Containers.unavailableReason(containerFallback);
    if (reason != null) {
      throw Containers.unavailable(missing, lookedIn, install, reason);
    }
    return startContainer();
  }

  @SuppressWarnings("unchecked") // B is the class that extends this one
  final B self() {
    return (B) this;
  }

  final Duration startupTimeout() {
    return startupTimeout;
  }

  final boolean keepLogs() {
    return keepLogs;
  }

  final String containerImage() {
    return containerImage;
  }
}
