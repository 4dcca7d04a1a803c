package io.github.iamauth4j.testkit.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One start of a server from local programs: a free port of {@value FreePorts#HOST}, a fresh
 * directory with an empty {@code server.log}, and the launcher's steps in it. When a step fails,
 * the server process is stopped and the directory kept for its log. When another process took the
 * port before the server could bind it, the directory is deleted and the start tried again with
 * another port, {@value #ATTEMPTS} times in all.
 */
final class LocalStart {
  private static final Logger LOG = LoggerFactory.getLogger(LocalStart.class);
  private static final int ATTEMPTS = 3;

  /** A launcher's steps: prepare the directory, launch the process, wait for it, set it up. */
  @FunctionalInterface
  interface Steps<S> {
    S run(LocalStart start) throws IOException;
  }

  private final LaunchedServer.Site site;
  private @Nullable LocalProcess process;

  private LocalStart(String name, String dirPrefix, boolean dirForOtherUser) {
    int port = FreePorts.pick();
    Path dir = TempDirs.create(dirPrefix, dirForOtherUser);
    this.site =
        new LaunchedServer.Site(
            FreePorts.HOST,
            port,
            dir,
            dir.resolve("server.log"),
            name + " on " + FreePorts.HOST + ":" + port);
  }

  /**
   * Starts a server, registers it for the shutdown hook and logs how long it took.
   *
   * @param name how messages name the server, e.g. {@code postgres}
   * @param program the server program, for the log
   * @param dirPrefix the directory's name prefix, e.g. {@code iamauth4j-postgres-}
   * @param dirForOtherUser whether the server runs as another account than the JVM's, which then
   *     needs to reach the directory
   * @param steps what the launcher does in the directory; the server they return is the result
   * @throws ServerStartException if a step fails, or the port was taken on every attempt
   */
  static <S extends LaunchedServer> S run(
      String name, Path program, String dirPrefix, boolean dirForOtherUser, Steps<S> steps) {
    for (int attempt = 1; ; attempt++) {
      LocalStart start = new LocalStart(name, dirPrefix, dirForOtherUser);
      try {
        return start.run(program, steps);
      } catch (LocalProcess.PortInUseException e) {
        if (attempt >= ATTEMPTS) {
          throw e.failure();
        }
        LOG.debug("Port taken before the server could bind it, retrying: {}", e.getMessage());
        TempDirs.deleteQuietly(start.dir());
      }
    }
  }

  private <S extends LaunchedServer> S run(Path program, Steps<S> steps) {
    long started = System.nanoTime();
    try {
      Files.createFile(logFile());
      S server = steps.run(this);
      Live.register(server);
      LOG.info(
          "Started {} ({}) in {} ms (log: {})",
          server,
          program,
          (System.nanoTime() - started) / 1_000_000,
          logFile());
      return server;
    } catch (LocalProcess.PortInUseException e) {
      throw e; // the process has exited; the caller retries
    } catch (IOException e) {
      stopProcess();
      throw new ServerStartException(
          "could not prepare " + site.description() + " in " + dir() + ": " + e.getMessage(),
          logFile(),
          e);
    } catch (RuntimeException e) {
      stopProcess();
      throw e;
    }
  }

  private void stopProcess() {
    if (process != null) {
      process.stop();
    }
  }

  /**
   * Launches the server process in the directory, its output appended to the log; it is stopped if
   * a later step fails.
   *
   * @param secrets passwords to mask in messages quoting the log
   */
  LocalProcess launch(
      List<String> command, Collection<String> secrets, LocalProcess.Shutdown shutdown) {
    process = LocalProcess.start(site.description(), command, dir(), logFile(), secrets, shutdown);
    return process;
  }

  /** Where the server runs: {@value FreePorts#HOST}, {@link #port()}, the directory and log. */
  LaunchedServer.Site site() {
    return site;
  }

  int port() {
    return site.port();
  }

  Path dir() {
    return site.directory();
  }

  Path logFile() {
    return site.logFile();
  }

  /** E.g. {@code postgres on 127.0.0.1:41234}. */
  String description() {
    return site.description();
  }
}
