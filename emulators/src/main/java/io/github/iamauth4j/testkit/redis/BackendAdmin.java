package io.github.iamauth4j.testkit.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The emulator's administrative side of one backend node: it keeps the administrator usable,
 * disables the backend's {@code default} user, creates the ACL users that IAM users become (with a
 * secret only the emulator knows), gives password users their own password (a normal ACL user; the
 * {@code default} user only when the group gives it one) and undoes its changes on close.
 * Thread-safe: calls share one connection under a lock.
 */
final class BackendAdmin implements AutoCloseable {
  /** The administrator the emulator creates when it was given the {@code default} user. */
  static final String INTERNAL_ADMIN = "iamauth4j-emulator";

  /** ACL user names the emulator is willing to create. */
  private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}");

  private static final Logger log = LoggerFactory.getLogger(BackendAdmin.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String host;
  private final int port;
  private final Duration timeout;
  private final String secret = randomSecret();
  private final Set<String> provisioned = ConcurrentHashMap.newKeySet();
  // Password users given their password by this emulator, to take it away again on close.
  private final Map<String, String> passwordUsers = new LinkedHashMap<>();
  private boolean defaultHadNopass;
  // Whether this emulator ever gave "default" a password (which clears "nopass").
  private boolean defaultTouched;
  private @Nullable String user;
  private @Nullable String password;
  private @Nullable String givenAdmin;
  private @Nullable BackendClient client;
  private boolean defaultWasOn;
  private boolean createdInternalAdmin;
  private boolean closed;

  BackendAdmin(
      String host, int port, @Nullable String user, @Nullable String password, Duration timeout) {
    this.host = host;
    this.port = port;
    this.user = user;
    this.password = password;
    this.timeout = timeout;
  }

  static String randomSecret() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** The password of every ACL user this emulator creates. Never log it. */
  String secret() {
    return secret;
  }

  String address() {
    return host + ":" + port;
  }

  /**
   * Connects as the administrator, switches to an internal administrator if that is {@code
   * default}, disables {@code default} so that unauthenticated clients get {@code NOAUTH}, and
   * gives the group's password users their passwords.
   *
   * @throws IllegalStateException if the backend is unreachable or refuses
   */
  synchronized void prepare(UserGroup group) {
    try {
      String whoami = String.valueOf(call("ACL", "WHOAMI"));
      givenAdmin = whoami;
      if ("default".equals(whoami)) {
        // Disabling "default" would lock the administrator out: work as a user of our own.
        String internalPassword = randomSecret();
        call(
            "ACL",
            "SETUSER",
            INTERNAL_ADMIN,
            "reset",
            "on",
            ">" + internalPassword,
            "~*",
            "&*",
            "+@all");
        createdInternalAdmin = true;
        switchTo(INTERNAL_ADMIN, internalPassword);
      }
      List<String> defaultFlags = flags("default");
      defaultWasOn = defaultFlags.contains("on");
      defaultHadNopass = defaultFlags.contains("nopass");
      if (defaultWasOn) {
        call("ACL", "SETUSER", "default", "off");
      }
      for (Map.Entry<String, String> p : group.passwordsForBackend().entrySet()) {
        setPassword(p.getKey(), p.getValue());
      }
      log.debug(
          "backend {} prepared: default user {}, administrator {}",
          address(),
          group.defaultEnabled() ? "with the group's password" : "off",
          user);
    } catch (IOException e) {
      throw new IllegalStateException(
          "could not prepare the backend redis at "
              + address()
              + " (as "
              + (user == null ? "the default user" : "user \"" + user + "\"")
              + "): "
              + e.getMessage()
              + " (the administrator needs ACL, CONFIG and CLUSTER permissions, e.g. +@all)",
          e);
    }
  }

  private List<String> flags(String aclUser) throws IOException {
    Object reply = call("ACL", "GETUSER", aclUser);
    if (reply instanceof List) {
      List<?> fields = (List<?>) reply;
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        if ("flags".equals(fields.get(i)) && fields.get(i + 1) instanceof List) {
          return ((List<?>) fields.get(i + 1)).stream().map(String::valueOf).toList();
        }
      }
    }
    return List.of();
  }

  private void switchTo(String newUser, String newPassword) throws IOException {
    BackendClient next = BackendClient.connect(host, port, newUser, newPassword, timeout);
    BackendClient old = client;
    client = next;
    user = newUser;
    password = newPassword;
    if (old != null) {
      old.close();
    }
  }

  /**
   * Whether the emulator may turn {@code iamUser} into an ACL user: not {@code default}, not an
   * administrator, and a plain name.
   */
  boolean mayProvision(String iamUser) {
    return USER_NAME.matcher(iamUser).matches()
        && !"default".equals(iamUser)
        && !INTERNAL_ADMIN.equals(iamUser)
        && !iamUser.equals(givenAdmin)
        && !iamUser.equals(user);
  }

  /**
   * Makes sure the backend has the ACL user {@code iamUser} with the emulator's secret, all keys,
   * channels and commands; created on first use and remembered.
   *
   * @throws IOException if the backend refuses
   */
  void provision(String iamUser) throws IOException {
    if (provisioned.contains(iamUser)) {
      return;
    }
    synchronized (this) {
      if (provisioned.contains(iamUser)) {
        return;
      }
      // ">" adds a password (and clears "nopass"), so emulators sharing a backend coexist.
      call("ACL", "SETUSER", iamUser, "on", ">" + secret, "~*", "&*", "+@all");
      provisioned.add(iamUser);
      log.debug("backend {}: ACL user {} provisioned", address(), iamUser);
    }
  }

  /**
   * Whether {@code name} may be a password user here: a plain name, not an administrator. ({@code
   * default} may: the group's default user with a password.)
   */
  boolean mayHavePassword(String name) {
    return USER_NAME.matcher(name).matches()
        && !INTERNAL_ADMIN.equals(name)
        && !name.equals(givenAdmin)
        && !name.equals(user);
  }

  /**
   * Makes {@code name} a normal ACL user with {@code password} (all keys, channels and commands),
   * or gives the {@code default} user that password and turns it on. Other passwords of the user
   * stay, so that emulators sharing a backend coexist.
   *
   * @throws IOException if the backend refuses
   */
  synchronized void setPassword(String name, String password) throws IOException {
    if (!mayHavePassword(name)) {
      throw new IOException("user \"" + name + "\" may not be a password user of this backend");
    }
    String previous = passwordUsers.get(name);
    if (previous != null && !previous.equals(password)) {
      call("ACL", "SETUSER", name, "<" + previous);
    }
    if (UserGroup.DEFAULT.equals(name)) {
      defaultTouched = true;
      call("ACL", "SETUSER", name, "on", ">" + password);
    } else {
      call("ACL", "SETUSER", name, "on", ">" + password, "~*", "&*", "+@all");
    }
    passwordUsers.put(name, password);
    log.debug("backend {}: password user {} set", address(), name);
  }

  /**
   * Takes away the password this emulator gave {@code name} (and turns {@code default} off again).
   *
   * @throws IOException if the backend refuses
   */
  synchronized void removePassword(String name) throws IOException {
    String password = passwordUsers.remove(name);
    if (password == null) {
      return;
    }
    call("ACL", "SETUSER", name, "<" + password);
    if (UserGroup.DEFAULT.equals(name)) {
      call("ACL", "SETUSER", name, "off");
    }
    log.debug("backend {}: password of user {} removed", address(), name);
  }

  /**
   * Runs one administrative command, reconnecting once if the connection was lost.
   *
   * @throws BackendClient.ErrorReply if the backend answers with an error
   * @throws IOException if the backend cannot be reached
   */
  synchronized @Nullable Object call(String... args) throws IOException {
    if (closed) {
      throw new IOException("the emulator is closed");
    }
    for (int attempt = 0; ; attempt++) {
      BackendClient c = client;
      try {
        if (c == null) {
          c = BackendClient.connect(host, port, user, password, timeout);
          client = c;
        }
        return c.call(args);
      } catch (BackendClient.ErrorReply e) {
        throw redacted(e, args);
      } catch (IOException e) {
        if (c != null) {
          c.close();
        }
        client = null;
        if (attempt > 0) {
          throw e;
        }
      }
    }
  }

  /** An error reply without any password the command carried (Redis may echo a modifier). */
  private static BackendClient.ErrorReply redacted(BackendClient.ErrorReply e, String... args) {
    String m = String.valueOf(e.getMessage());
    boolean changed = false;
    for (String a : args) {
      if (a.length() > 1 && (a.charAt(0) == '>' || a.charAt(0) == '<') && m.contains(a)) {
        m = m.replace(a, a.charAt(0) + "<redacted>");
        changed = true;
      }
    }
    return changed ? new BackendClient.ErrorReply(m) : e;
  }

  /** Undoes the emulator's changes: re-enables {@code default}, removes its secret and admin. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    try {
      for (String u : provisioned) {
        undo("ACL", "SETUSER", u, "<" + secret);
      }
      for (Map.Entry<String, String> p : passwordUsers.entrySet()) {
        undo("ACL", "SETUSER", p.getKey(), "<" + p.getValue());
      }
      passwordUsers.clear();
      if (defaultTouched && defaultHadNopass) {
        // ">password" cleared "nopass": give it back.
        undo("ACL", "SETUSER", UserGroup.DEFAULT, "nopass");
      }
      if (defaultWasOn) {
        undo("ACL", "SETUSER", "default", "on");
      } else if (defaultTouched) {
        undo("ACL", "SETUSER", "default", "off");
      }
      if (createdInternalAdmin) {
        // The connection is authenticated as the user it deletes: the server may close it.
        undo("ACL", "DELUSER", INTERNAL_ADMIN);
      }
    } finally {
      closed = true;
      BackendClient c = client;
      if (c != null) {
        c.close();
      }
      client = null;
    }
  }

  /** One step of undoing: a failure is logged (without secrets) and the next step still runs. */
  private void undo(String... args) {
    try {
      call(args);
    } catch (IOException | UncheckedIOException e) {
      log.debug(
          "backend {}: could not undo an ACL change ({} {} {}): {}",
          address(),
          args[0],
          args[1],
          args.length > 2 ? args[2] : "",
          e.toString());
    }
  }

  @Override
  public String toString() {
    return "BackendAdmin[" + address() + ", administrator " + user + "]";
  }
}
