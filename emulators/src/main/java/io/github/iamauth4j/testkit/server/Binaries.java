package io.github.iamauth4j.testkit.server;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Finds installed server and client programs. */
final class Binaries {
  /** Where Debian and most Linux distributions install programs, before {@code PATH}. */
  static final List<Path> STANDARD_DIRS =
      List.of(
          Path.of("/usr/bin"),
          Path.of("/usr/sbin"),
          Path.of("/usr/local/bin"),
          Path.of("/usr/local/sbin"));

  private Binaries() {}

  /** The search list: {@code first}, then the standard directories, then {@code PATH}. */
  static List<Path> searchDirs(List<Path> first) {
    Set<Path> dirs = new LinkedHashSet<>(first);
    dirs.addAll(STANDARD_DIRS);
    dirs.addAll(pathDirs());
    return new ArrayList<>(dirs);
  }

  /** Returns the first executable named one of {@code names} in {@code dirs} (by name order). */
  static Optional<Path> find(List<String> names, List<Path> dirs) {
    for (String name : names) {
      for (Path dir : dirs) {
        Path candidate = dir.resolve(name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  /** Describes a search list for messages: the given directories, then "PATH". */
  static String describe(List<Path> first) {
    Set<String> shown = new LinkedHashSet<>();
    first.forEach(p -> shown.add(p.toString()));
    STANDARD_DIRS.forEach(p -> shown.add(p.toString()));
    shown.add("PATH");
    return String.join(", ", shown);
  }

  /**
   * Returns the {@code bin} directories of the PostgreSQL versions installed the Debian way ({@code
   * /usr/lib/postgresql/<version>/bin}), newest first.
   */
  static List<Path> postgresVersionDirs(Path root) {
    List<Path> dirs = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return dirs;
    }
    try (DirectoryStream<Path> versions = Files.newDirectoryStream(root)) {
      for (Path version : versions) {
        if (Files.isDirectory(version.resolve("bin"))) {
          dirs.add(version);
        }
      }
    } catch (IOException e) {
      return List.of();
    }
    return dirs.stream()
        .sorted(Comparator.comparing(Binaries::versionKey).reversed())
        .map(v -> v.resolve("bin"))
        .collect(Collectors.toList());
  }

  private static Double versionKey(Path versionDir) {
    try {
      return Double.valueOf(versionDir.getFileName().toString());
    } catch (NumberFormatException e) {
      return -1.0;
    }
  }

  private static List<Path> pathDirs() {
    String path = System.getenv("PATH");
    List<Path> dirs = new ArrayList<>();
    if (path != null) {
      for (String entry : path.split(File.pathSeparator)) {
        if (!entry.isBlank()) {
          dirs.add(Path.of(entry));
        }
      }
    }
    return dirs;
  }

  /** Resolves symbolic links, e.g. {@code /usr/local/bin/initdb -> /usr/lib/postgresql/15/...}. */
  static Path real(Path program) {
    try {
      return program.toRealPath();
    } catch (IOException e) {
      return program;
    }
  }
}
