package io.github.iamauth4j.testkit.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The emulator's administrative side of one backend node: it keeps the administrator usable,
 * disables the backend's {@code default} user, creates the ACL users that IAM users become (with a
 * secret only the emulator knows) and undoes its changes on close. Thread-safe: calls share one
 * connection under a lock.
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
   * default}, and disables {@code default} so that unauthenticated clients get {@code NOAUTH}.
   *
   * @throws IllegalStateException if the backend is unreachable or refuses
   */
  synchronized void prepare() {
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
      defaultWasOn = flags("default").contains("on");
      if (defaultWasOn) {
        call("ACL", "SETUSER", "default", "off");
      }
      log.debug("backend {} prepared: default user off, administrator {}", address(), user);
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
        call("ACL", "SETUSER", u, "<" + secret);
      }
      if (defaultWasOn) {
        call("ACL", "SETUSER", "default", "on");
      }
      if (createdInternalAdmin) {
        // The connection is authenticated as the user it deletes: the server may close it.
        call("ACL", "DELUSER", INTERNAL_ADMIN);
      }
    } catch (IOException | UncheckedIOException e) {
      log.debug(
          "backend {}: could not undo the emulator's ACL changes: {}", address(), e.toString());
    } finally {
      closed = true;
      BackendClient c = client;
      if (c != null) {
        c.close();
      }
      client = null;
    }
  }

  @Override
  public String toString() {
    return "BackendAdmin[" + address() + ", administrator " + user + "]";
  }
}
