package io.github.iamauth4j.testkit.server;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every launched server has: the address clients connect to, a temporary directory with the
 * server's log, and a {@link #close()} that stops the server and deletes the directory unless the
 * log is worth keeping.
 */
abstract class LaunchedServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LaunchedServer.class);

  /**
   * Where a server runs.
   *
   * @param host the host clients connect to
   * @param port the port clients connect to
   * @param directory the server's temporary directory
   * @param logFile the server's log, in or next to {@code directory}
   * @param description how messages name the server, e.g. {@code postgres on 127.0.0.1:41234}
   */
  record Site(String host, int port, Path directory, Path logFile, String description) {}

  private final Site site;
  private final boolean keepLogs;
  private final ServerHandle handle;
  private final AtomicBoolean closed = new AtomicBoolean();

  LaunchedServer(Site site, boolean keepLogs, ServerHandle handle) {
    this.site = site;
    this.keepLogs = keepLogs;
    this.handle = handle;
  }

  /**
   * Returns the host clients connect to.
   *
   * @return {@code 127.0.0.1}, or the Docker host when the server runs in a container
   */
  public String host() {
    return site.host();
  }

  /**
   * Returns the port clients connect to.
   *
   * @return the TCP port
   */
  public int port() {
    return site.port();
  }

  /**
   * Returns the server's log: its output, and for a database also that of creating its data
   * directory. It is deleted with the server's directory on {@link #close()} unless the server
   * failed or logs are kept.
   *
   * @return the path of the log file
   */
  public Path logFile() {
    return site.logFile();
  }

  /**
   * Returns the server's temporary directory: its working directory, with the log and, as the
   * server needs them, its configuration file, data directory ({@code data}) and Unix socket.
   *
   * @return the directory
   */
  public Path directory() {
    return site.directory();
  }

  /**
   * Stops the server, gracefully and then forcibly (the class documentation says how), and deletes
   * its directory, unless logs are kept or the server had died or had to be killed, in which case
   * the log's path is logged. Calling it again does nothing.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Live.unregister(this);
    boolean clean = handle.stop();
    if (clean && !keepLogs) {
      TempDirs.deleteQuietly(site.directory());
    } else if (clean) {
      LOG.info("Stopped {}; log kept at {}", this, site.logFile());
    } else {
      LOG.warn("{} had died or had to be killed; log kept at {}", this, site.logFile());
    }
  }

  /** Stops the server after a failed start, keeping its directory for the log. */
  void abandon() {
    if (closed.compareAndSet(false, true)) {
      Live.unregister(this);
      handle.stop();
    }
  }

  /**
   * Returns how messages name the server.
   *
   * @return e.g. {@code redis-server on 127.0.0.1:41234} or {@code postgres container on
   *     localhost:32768}
   */
  @Override
  public String toString() {
    return site.description();
  }
}
