package io.github.iamauth4j.testkit.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * An operating-system account a server runs as when the JVM runs as root, for servers that refuse
 * to run as root (PostgreSQL).
 */
final class OsUser {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Map<String, Optional<OsUser>> KNOWN = new ConcurrentHashMap<>();

  final String name;
  final int uid;
  final int gid;

  private OsUser(String name, int uid, int gid) {
    this.name = name;
    this.uid = uid;
    this.gid = gid;
  }

  /** Whether this JVM runs with effective user id 0. */
  static boolean runningAsRoot() {
    try {
      // /proc/self belongs to the effective user of the process that looks at it.
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      return Integer.valueOf(0).equals(uid);
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      Cli.Result id =
          Cli.run(List.of("id", "-u"), Map.of(), List.of(), null, TIMEOUT, /* output= */ null);
      return id.ok() && id.stdout().strip().equals("0");
    }
  }

  /** Looks up an account by name (once per JVM), or returns empty if there is none. */
  static Optional<OsUser> lookup(String name) {
    return KNOWN.computeIfAbsent(name, OsUser::query);
  }

  private static Optional<OsUser> query(String name) {
    Cli.Result uid = Cli.run(List.of("id", "-u", name), Map.of(), List.of(), null, TIMEOUT, null);
    Cli.Result gid = Cli.run(List.of("id", "-g", name), Map.of(), List.of(), null, TIMEOUT, null);
    if (!uid.ok() || !gid.ok()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new OsUser(
              name,
              Integer.parseInt(uid.stdout().strip()),
              Integer.parseInt(gid.stdout().strip())));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Returns the first existing account of {@code names}. */
  static Optional<OsUser> firstExisting(List<String> names) {
    return names.stream().map(OsUser::lookup).flatMap(Optional::stream).findFirst();
  }

  /**
   * Returns the command prefix that runs a program as this user without an intermediate process
   * ({@code setpriv}), or through {@code runuser} when {@code setpriv} is not installed.
   */
  List<String> commandPrefix() {
    List<Path> dirs = Binaries.searchDirs(List.of());
    Optional<Path> setpriv = Binaries.find(List.of("setpriv"), dirs);
    List<String> prefix = new ArrayList<>();
    if (setpriv.isPresent()) {
      prefix.add(setpriv.get().toString());
      prefix.add("--reuid=" + uid);
      prefix.add("--regid=" + gid);
      prefix.add("--init-groups");
      prefix.add("--");
      return prefix;
    }
    Optional<Path> runuser = Binaries.find(List.of("runuser"), dirs);
    if (runuser.isPresent()) {
      prefix.add(runuser.get().toString());
      prefix.add("-u");
      prefix.add(name);
      prefix.add("--");
      return prefix;
    }
    throw new ServerUnavailableException(
        "cannot run a server as user \""
            + name
            + "\": neither setpriv nor runuser found (looked in "
            + Binaries.describe(List.of())
            + "); install util-linux or run the tests as a user other than root");
  }

  /** Gives {@code path} and everything under it to this user. */
  void own(Path path) {
    UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
    try (Stream<Path> all = Files.walk(path)) {
      var owner = lookup.lookupPrincipalByName(Integer.toString(uid));
      var group = lookup.lookupPrincipalByGroupName(Integer.toString(gid));
      for (Path p : (Iterable<Path>) all::iterator) {
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
        view.setOwner(owner);
        view.setGroup(group);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not give " + path + " to user " + name, e);
    }
  }
}
