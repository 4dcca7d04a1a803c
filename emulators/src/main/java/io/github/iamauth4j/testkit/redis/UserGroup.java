package io.github.iamauth4j.testkit.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The ElastiCache/MemoryDB user group an emulator holds: IAM users (tokens only) and password users
 * (their own password), and the {@code default} user every Redis OSS user group must hold, disabled
 * unless given a password. Without a group ({@link #open()}), any user with a valid token is an IAM
 * user, except those {@link #remove(String) removed}. Thread-safe. Passwords never leave it except
 * to the backend administrator.
 */
final class UserGroup {
  static final String DEFAULT = "default";

  /** User names the emulator accepts: the ACL names it is willing to create. */
  static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}");

  /** What a user name stands for now. */
  enum Mode {
    /** Authenticates with a token. */
    IAM,
    /** Authenticates with its own password. */
    PASSWORD,
    /** Not in the group (or removed): every authentication fails. */
    NONE
  }

  private final boolean open;
  private final Set<String> iamUsers = new TreeSet<>();
  private final Map<String, String> passwords = new LinkedHashMap<>();
  private final Set<String> removed = new TreeSet<>();

  private UserGroup(boolean open) {
    this.open = open;
  }

  /** No group configured: any user with a valid token is accepted. */
  static UserGroup open() {
    return new UserGroup(true);
  }

  /** A group holding exactly these users (and a disabled {@code default} unless it has one). */
  static UserGroup of(Set<String> iamUsers, Map<String, String> passwordUsers) {
    UserGroup g = new UserGroup(false);
    g.iamUsers.addAll(iamUsers);
    g.passwords.putAll(passwordUsers);
    return g;
  }

  /** Whether a user group was configured (else any user with a valid token is accepted). */
  boolean isGroup() {
    return !open;
  }

  synchronized Mode mode(String user) {
    if (passwords.containsKey(user)) {
      return Mode.PASSWORD;
    }
    if (iamUsers.contains(user)) {
      return Mode.IAM;
    }
    return open && !removed.contains(user) && !DEFAULT.equals(user) ? Mode.IAM : Mode.NONE;
  }

  /** Whether {@code password} is the password of the password user {@code user}. */
  synchronized boolean passwordMatches(String user, String password) {
    String p = passwords.get(user);
    return p != null
        && MessageDigest.isEqual(
            p.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8));
  }

  /** Whether the {@code default} user is enabled (it has a password). */
  synchronized boolean defaultEnabled() {
    return passwords.containsKey(DEFAULT);
  }

  /** Makes {@code user} an IAM user; returns its previous password if it was a password user. */
  synchronized @Nullable String addIam(String user) {
    removed.remove(user);
    iamUsers.add(user);
    return passwords.remove(user);
  }

  /** Makes {@code user} a password user; returns its previous password, if any. */
  synchronized @Nullable String addPassword(String user, String password) {
    removed.remove(user);
    iamUsers.remove(user);
    return passwords.put(user, password);
  }

  /**
   * Takes {@code user} out of the group ({@code default} is disabled instead); returns its password
   * if it was a password user.
   */
  synchronized @Nullable String remove(String user) {
    iamUsers.remove(user);
    if (open) {
      removed.add(user);
    }
    return passwords.remove(user);
  }

  /** The IAM users listed (empty without a group, where any user may be one). */
  synchronized Set<String> iamUsers() {
    return Set.copyOf(iamUsers);
  }

  /** The password users' names, {@code default} included when it has a password. */
  synchronized Set<String> passwordUsers() {
    return Set.copyOf(new TreeSet<>(passwords.keySet()));
  }

  /** The password users and their passwords, for the backend administrator only. */
  synchronized Map<String, String> passwordsForBackend() {
    return new LinkedHashMap<>(passwords);
  }

  /** Names only, never a password: e.g. {@code IAM users [app], password users [legacy]}. */
  @Override
  public synchronized String toString() {
    if (open) {
      return "no user group: any user with a valid token"
          + (removed.isEmpty() ? "" : " except " + removed)
          + (passwords.isEmpty() ? "" : "; password users " + new TreeSet<>(passwords.keySet()));
    }
    TreeSet<String> pw = new TreeSet<>(passwords.keySet());
    pw.remove(DEFAULT);
    return "user group: IAM users "
        + iamUsers
        + ", password users "
        + pw
        + ", default user "
        + (passwords.containsKey(DEFAULT) ? "with a password" : "off");
  }
}
