package io.github.iamauth4j.testkit.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/** Creates and deletes the launchers' temporary directories. */
final class TempDirs {
  /** System property that keeps every server directory (data and log) after {@code close()}. */
  static final String KEEP_LOGS_PROPERTY = "iamauth4j.testkit.keepLogs";

  /** System property that overrides the parent of the server directories. */
  static final String BASE_DIR_PROPERTY = "iamauth4j.testkit.dir";

  // Unix socket paths are limited to 107 bytes; keep room for the socket file name.
  private static final int MAX_BASE_LENGTH = 60;

  private TempDirs() {}

  static boolean keepLogsByDefault() {
    return Boolean.getBoolean(KEEP_LOGS_PROPERTY);
  }

  /**
   * Creates a fresh directory (mode 700) for one server.
   *
   * @param prefix the name prefix, e.g. {@code iamauth4j-redis-}
   * @param traversableByOthers whether the parent must be searchable by other users (a server that
   *     runs as another OS user needs to reach its directory)
   */
  static Path create(String prefix, boolean traversableByOthers) {
    Path base = base(traversableByOthers);
    try {
      Files.createDirectories(base);
      return Files.createTempDirectory(base, prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("could not create a temporary directory under " + base, e);
    }
  }

  private static Path base(boolean traversableByOthers) {
    String configured = System.getProperty(BASE_DIR_PROPERTY);
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured).toAbsolutePath();
    }
    Path tmp = Path.of(System.getProperty("java.io.tmpdir", "/tmp")).toAbsolutePath();
    if (tmp.toString().length() > MAX_BASE_LENGTH
        || (traversableByOthers && !traversableByOthers(tmp))) {
      return Path.of("/tmp");
    }
    return tmp;
  }

  private static boolean traversableByOthers(Path dir) {
    for (Path p = dir; p != null; p = p.getParent()) {
      try {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
        if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
          return false;
        }
      } catch (IOException | UnsupportedOperationException e) {
        return false;
      }
    }
    return true;
  }

  /** Deletes a directory tree, best effort; returns whether everything was deleted. */
  static boolean deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return true;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              Files.deleteIfExists(d);
              return FileVisitResult.CONTINUE;
            }
          });
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
