package io.github.iamauth4j.jdbc.internal;

import io.github.iamauth4j.core.ConnectionCredentials;
import io.github.iamauth4j.core.IamAuthException;
import io.github.iamauth4j.core.PasswordFallbacks;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;

/**
 * Opens one connection IAM first, and again with the fallback password inside the same call when
 * the server refuses the token (PostgreSQL's {@code PAM authentication failed}, SQLSTATE 28P01 or
 * 28000; MySQL's 1045), so that the caller, a pool among them, sees a connection rather than an
 * error during a migration from passwords. Without a fallback, the refusal is thrown as before.
 */
public final class FallbackConnect {
  private static final Set<String> REFUSED_STATES = Set.of("28P01", "28000");
  private static final int MYSQL_ACCESS_DENIED = 1045;

  private FallbackConnect() {}

  /** Opens a connection as a user with a secret. */
  @FunctionalInterface
  public interface Connector {
    /**
     * @param user the database user
     * @param secret the token or password
     * @return the connection, never null
     * @throws SQLException as the driver throws it
     */
    Connection connect(String user, String secret) throws SQLException;
  }

  /**
   * Connects with {@code first}; when the server refuses it as an IAM token and a fallback is
   * configured, connects again with the password ({@link PasswordFallbacks#refused}).
   *
   * @param fallbacks the provider's fallbacks
   * @param first the credentials chosen for this connection
   * @param where the connection, for events (no secrets)
   * @param connector opens the connection
   * @return the connection
   * @throws SQLException the driver's exception when the server refused and there is no fallback,
   *     or the password's own failure (with the IAM refusal suppressed)
   */
  public static Connection connect(
      PasswordFallbacks fallbacks, ConnectionCredentials first, String where, Connector connector)
      throws SQLException {
    Connection c;
    try {
      c = connector.connect(first.user(), first.secret());
    } catch (SQLException e) {
      if (!first.isIam() || !fallbacks.enabled() || !refusedCredentials(e)) {
        throw e;
      }
      ConnectionCredentials password;
      try {
        password =
            fallbacks.refused(where, new SQLException(SqlErrors.message(e), e.getSQLState()));
      } catch (IamAuthException x) {
        e.addSuppressed(SqlErrors.of(x));
        throw e;
      }
      if (password == null) {
        throw e;
      }
      try {
        c = connector.connect(password.user(), password.secret());
      } catch (SQLException p) {
        p.addSuppressed(e);
        throw p;
      }
      fallbacks.authenticated(password);
      return c;
    }
    fallbacks.authenticated(first);
    return c;
  }

  /** Whether the server refused the user name and password (token) of the connection. */
  static boolean refusedCredentials(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException s
          && (REFUSED_STATES.contains(s.getSQLState())
              || s.getErrorCode() == MYSQL_ACCESS_DENIED)) {
        return true;
      }
    }
    return false;
  }
}
