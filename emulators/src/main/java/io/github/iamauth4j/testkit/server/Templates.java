package io.github.iamauth4j.testkit.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Freshly initialised data directories, made once per JVM and copied for each server: {@code
 * initdb} and {@code mariadb-install-db} take a second or more on a busy machine, a copy a few tens
 * of milliseconds. The templates are deleted at JVM exit.
 */
final class Templates {
  private static final Map<String, Path> TEMPLATES = new HashMap<>();
  private static final Duration COPY_TIMEOUT = Duration.ofMinutes(2);

  private Templates() {}

  /**
   * Returns the template directory for {@code key}, creating it with {@code create} the first time.
   * A failed creation is not remembered.
   *
   * @param create makes the template and returns its directory (the whole tree is deleted at exit)
   */
  static synchronized Path get(String key, Supplier<Path> create) {
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
