package io.github.iamauth4j.testkit.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Freshly initialised data directories, made once per JVM and copied for each server: {@code
 * initdb} and {@code mariadb-install-db} take a second or more on a busy machine, a copy a few tens
 * of milliseconds. The templates are deleted at JVM exit.
 */
final class Templates {
  private static final Logger LOG = LoggerFactory.getLogger(Templates.class);
  private static final Map<String, Path> TEMPLATES = new HashMap<>();
  private static final Duration COPY_TIMEOUT = Duration.ofMinutes(2);

  private Templates() {}

  /**
   * Returns the template directory for {@code key}, creating it with {@code create} the first time.
   * A failed creation is not remembered.
   *
   * @param create makes the template and returns its directory (the whole tree is deleted at exit)
   */
  private static synchronized Path get(String key, Supplier<Path> create) {
    Path existing = TEMPLATES.get(key);
    if (existing != null) {
      return existing;
    }
    Path created = create.get();
    TEMPLATES.put(key, created);
    Live.register(new Deletion(created));
    return created;
  }

  /**
   * Returns a data directory made by a server's initialisation program, the first time in a fresh
   * directory whose {@code init.log} keeps the program's output.
   *
   * @param key what the data directory depends on: program, options, account
   * @param dirPrefix the directory's name prefix, e.g. {@code iamauth4j-postgres-template-}
   * @param runAs the account the program runs as, which then owns the directory; {@code null} for
   *     the JVM's own
   * @param init from the data directory to make to the program and its arguments
   * @param clearEnv prefixes of environment variables not to pass on, e.g. {@code PG}
   * @return the data directory, to be copied with {@link #copy(Path, Path, Path)}
   * @throws ServerStartException if the program fails, with the tail of its output
   */
  static Path dataDir(
      String key,
      String dirPrefix,
      @Nullable OsUser runAs,
      Function<Path, List<String>> init,
      List<String> clearEnv,
      Duration timeout) {
    Path dir = get(key, () -> initialise(dirPrefix, runAs, init, clearEnv, timeout));
    return dir.resolve("data");
  }

  private static Path initialise(
      String dirPrefix,
      @Nullable OsUser runAs,
      Function<Path, List<String>> init,
      List<String> clearEnv,
      Duration timeout) {
    Path dir = TempDirs.create(dirPrefix, runAs != null);
    Path log = dir.resolve("init.log");
    Path data = dir.resolve("data");
    long started = System.nanoTime();
    List<String> program = init.apply(data);
    List<String> command = new ArrayList<>();
    try {
      Files.createFile(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (runAs != null) {
      runAs.own(dir);
      command.addAll(runAs.commandPrefix());
    }
    command.addAll(program);
    Cli.Result result = Cli.run(command, Map.of(), clearEnv, null, timeout, log);
    if (!result.ok()) {
      throw ServerStartException.withLog(
          program.get(0)
              + (runAs == null ? "" : " as user \"" + runAs.name + "\"")
              + " failed with exit code "
              + result.exitCode(),
          log,
          List.of(),
          null);
    }
    LOG.debug(
        "{} made the template {} in {} ms",
        Path.of(program.get(0)).getFileName(),
        data,
        (System.nanoTime() - started) / 1_000_000);
    return dir;
  }

  /**
   * Copies {@code source} to {@code target} (which must not exist) with {@code cp -a}, keeping
   * owners and modes.
   *
   * @throws ServerStartException if the copy fails
   */
  static void copy(Path source, Path target, Path logFile) {
    Cli.Result result =
        Cli.run(
            List.of("cp", "-a", source.toString(), target.toString()),
            Map.of(),
            List.of(),
            null,
            COPY_TIMEOUT,
            null);
    if (!result.ok()) {
      throw new ServerStartException(
          "could not copy the data directory template "
              + source
              + " to "
              + target
              + ": "
              + result.stderr().strip(),
          logFile,
          null);
    }
  }

  /** Deletes a template at JVM exit. */
  private static final class Deletion implements AutoCloseable {
    private final Path dir;

    Deletion(Path dir) {
      this.dir = dir;
    }

    @Override
    public void close() {
      if (!TempDirs.keepLogsByDefault()) {
        TempDirs.deleteQuietly(dir);
      }
    }

    @Override
    public String toString() {
      return "data directory template " + dir;
    }
  }
}
