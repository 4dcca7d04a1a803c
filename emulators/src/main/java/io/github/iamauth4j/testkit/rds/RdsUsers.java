package io.github.iamauth4j.testkit.rds;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Who logs in how on an RDS emulator. Every user may log in with a token (as if granted {@code
 * rds_iam}, or identified with {@code AWSAuthenticationPlugin}), except password users (their own
 * password on the real server) and users whose IAM was revoked. A user both granted IAM and given a
 * password logs in with a token only, as on RDS for PostgreSQL, where a member of {@code rds_iam}
 * can no longer log in with its password. Thread-safe; passwords never leave it except to the
 * backend.
 */
final class RdsUsers {
  /** How a user logs in now. */
  enum Mode {
    /** With a token only. */
    IAM,
    /** With its own password, judged by the real server. */
    PASSWORD,
    /** Not at all: IAM revoked and no password. */
    NONE
  }

  private final Set<String> iam = new TreeSet<>();
  private final Map<String, String> passwords = new LinkedHashMap<>();
  private final Set<String> notIam = new TreeSet<>();

  RdsUsers(Set<String> iamUsers, Map<String, String> passwordUsers) {
    iam.addAll(iamUsers);
    passwords.putAll(passwordUsers);
  }

  synchronized Mode mode(String user) {
    if (iam.contains(user)) {
      return Mode.IAM;
    }
    if (passwords.containsKey(user)) {
      return Mode.PASSWORD;
    }
    return notIam.contains(user) ? Mode.NONE : Mode.IAM;
  }

  synchronized @Nullable String password(String user) {
    return passwords.get(user);
  }

  synchronized boolean passwordMatches(String user, String password) {
    String p = passwords.get(user);
    return p != null
        && MessageDigest.isEqual(
            p.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8));
  }

  synchronized void grantIam(String user) {
    notIam.remove(user);
    iam.add(user);
  }

  synchronized void revokeIam(String user) {
    iam.remove(user);
    notIam.add(user);
  }

  synchronized void setPassword(String user, String password) {
    passwords.put(user, password);
  }

  synchronized void removePassword(String user) {
    passwords.remove(user);
    if (!iam.contains(user)) {
      notIam.add(user);
    }
  }

  /** Users explicitly granted IAM (every other user not named here may use a token too). */
  synchronized Set<String> iamUsers() {
    return Set.copyOf(iam);
  }

  /** Users that log in with a password now (not granted IAM). */
  synchronized Set<String> passwordUsers() {
    TreeSet<String> s = new TreeSet<>(passwords.keySet());
    s.removeAll(iam);
    return Set.copyOf(s);
  }

  /** Users whose IAM was revoked (or never had it) and that may not use a token. */
  synchronized Set<String> iamRevoked() {
    return Set.copyOf(notIam);
  }

  /** Whether any user was configured (else: every user logs in with a token). */
  synchronized boolean isConfigured() {
    return !iam.isEmpty() || !passwords.isEmpty() || !notIam.isEmpty();
  }

  /** Names only, never a password. */
  @Override
  public synchronized String toString() {
    return "IAM: any user"
        + (notIam.isEmpty() && passwords.isEmpty()
            ? ""
            : " except " + new TreeSet<>(union(notIam, passwordUsers())))
        + (passwordUsers().isEmpty() ? "" : "; password users " + new TreeSet<>(passwordUsers()));
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    TreeSet<String> s = new TreeSet<>(a);
    s.addAll(b);
    return s;
  }
}
