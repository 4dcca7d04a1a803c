package io.github.iamauth4j.testkit.rds;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The roles a PostgreSQL-wire emulator logs its clients in as on the real server: on a role's first
 * use it is created through the admin account (or its password reset if it exists) with a random
 * secret only the emulator knows, and granted {@code CONNECT} on the database and all privileges on
 * that database's {@code public} schema. Shared by {@link RdsPostgresEmulator} and {@link
 * DsqlEmulator}.
 */
final class PgRoles {
  private static final Logger log = LoggerFactory.getLogger(PgRoles.class);

  private final String name;
  private final String applicationName;
  private final String backendHost;
  private final int backendPort;
  private final Duration backendConnectTimeout;
  private final String adminUser;
  private final String adminPassword;
  private final String adminDatabase;
  // The emulator's secret per IAM role, and the password each role has on the backend now.
  private final Map<String, String> secrets = new ConcurrentHashMap<>();
  private final Map<String, String> current = new ConcurrentHashMap<>();
  private final Map<String, Object> roleLocks = new ConcurrentHashMap<>();
  private final Set<String> granted = ConcurrentHashMap.newKeySet();
  private final Map<String, Object> grantLocks = new ConcurrentHashMap<>();

  /**
   * @param name the emulator's short name, for logs
   * @param applicationName the {@code application_name} of the admin sessions
   * @param emulator the emulator whose backend and admin account are used
   * @param adminDatabase the database the admin connects to to create roles
   */
  PgRoles(String name, String applicationName, RdsEmulator emulator, String adminDatabase) {
    this.name = name;
    this.applicationName = applicationName;
    this.backendHost = emulator.backendHost;
    this.backendPort = emulator.backendPort;
    this.backendConnectTimeout = emulator.backendConnectTimeout;
    this.adminUser = emulator.adminUser;
    this.adminPassword = emulator.adminPassword;
    this.adminDatabase = adminDatabase;
  }

  /** The backend password of {@code user}, creating or resetting its role on first use. */
  String provision(String user, String database) throws IOException {
    if (user.equals(adminUser)) {
      return adminPassword;
    }
    String secret = secrets.computeIfAbsent(user, u -> Secrets.generate());
    ensurePassword(user, secret);
    ensureGranted(user, database);
    return secret;
  }

  /**
   * Makes sure the role {@code user} exists with {@code password} (a password user's own) and may
   * use {@code database}.
   */
  void provisionPassword(String user, String database, String password) throws IOException {
    ensurePassword(user, password);
    ensureGranted(user, database);
  }

  private void ensurePassword(String user, String password) throws IOException {
    if (password.equals(current.get(user))) {
      return;
    }
    synchronized (roleLocks.computeIfAbsent(user, k -> new Object())) {
      if (!password.equals(current.get(user))) {
        setRole(user, password);
        current.put(user, password);
      }
    }
  }

  private void ensureGranted(String user, String database) throws IOException {
    String key = user + '\0' + database;
    if (!granted.contains(key)) {
      // One GRANT at a time per role and database: concurrent GRANTs on the same role fail on
      // the server with "tuple concurrently updated".
      synchronized (grantLocks.computeIfAbsent(key, k -> new Object())) {
        if (!granted.contains(key) && grant(user, database)) {
          granted.add(key);
        }
      }
    }
  }

  private void setRole(String user, String password) throws IOException {
    try (PgBackend admin = adminSession(adminDatabase)) {
      boolean exists =
          !admin
              .query("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = " + literal(user))
              .isEmpty();
      String sql =
          (exists ? "ALTER ROLE " : "CREATE ROLE ")
              + identifier(user)
              + " WITH LOGIN PASSWORD "
              + literal(password);
      try {
        admin.query(sql);
      } catch (PgBackend.BackendError e) {
        if (!exists && "42710".equals(e.sqlState())) {
          // Created meanwhile by someone else: take it over.
          admin.query(
              "ALTER ROLE " + identifier(user) + " WITH LOGIN PASSWORD " + literal(password));
        } else {
          throw e;
        }
      }
      admin.terminate();
      log.debug(
          "{} emulator: {} role \"{}\" on the backend", name, exists ? "reset" : "created", user);
    } catch (IOException e) {
      throw new IOException(
          Secrets.redact(String.valueOf(e.getMessage()), password, adminPassword), e);
    }
  }

  /** Grants {@code user} the use of {@code database}; false if the database does not exist. */
  private boolean grant(String user, String database) throws IOException {
    PgBackend admin;
    try {
      admin = adminSession(database);
    } catch (PgBackend.BackendError e) {
      if ("3D000".equals(e.sqlState())) {
        return false; // The client's own startup will report the missing database.
      }
      throw e;
    }
    try {
      admin.query(
          "GRANT CONNECT ON DATABASE "
              + identifier(database)
              + " TO "
              + identifier(user)
              + "; GRANT ALL ON SCHEMA public TO "
              + identifier(user));
      admin.terminate();
      return true;
    } finally {
      admin.close();
    }
  }

  private PgBackend adminSession(String database) throws IOException {
    PgBackend b = PgBackend.connect(backendHost, backendPort, backendConnectTimeout);
    try {
      Map<String, String> params = new LinkedHashMap<>();
      params.put("user", adminUser);
      params.put("database", database);
      params.put("application_name", applicationName);
      PgBackend.Startup s = b.startup(PgWire.PROTOCOL_3_0, params, adminUser, adminPassword);
      if (!s.ok) {
        throw new PgBackend.BackendError(s.last().body);
      }
      b.awaitReady();
      return b;
    } catch (IOException | RuntimeException e) {
      b.close();
      throw e;
    }
  }

  static String identifier(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  static String literal(String value) {
    String quoted = value.replace("'", "''");
    return value.contains("\\") ? "E'" + quoted.replace("\\", "\\\\") + "'" : "'" + quoted + "'";
  }
}
