package io.github.iamauth4j.jdbc;

import io.github.iamauth4j.core.IamConfigurationException;

/**
 * The connection settings would let an IAM token travel without TLS, so no token was sent. The
 * token is a password sent in clear inside the connection: only TLS protects it. {@link #setting()}
 * names the driver setting to fix (e.g. {@code sslmode}, {@code sslMode}); the message says which
 * values are accepted. For a local test server without TLS only, {@code
 * iamAllowPlaintextForLocalTesting=true} (or {@link
 * IamJdbcConfig.Builder#allowPlaintextForLocalTesting(boolean)}) lifts the check.
 */
public class InsecureConnectionException extends IamConfigurationException {
  private static final long serialVersionUID = 1L;

  private final String setting;

  /**
   * @param setting the driver setting to fix
   * @param problem the problem, starting with the setting's name
   */
  public InsecureConnectionException(String setting, String problem) {
    super(problem);
    this.setting = setting;
  }

  /** The driver setting to fix, e.g. {@code sslmode}. */
  public String setting() {
    return setting;
  }
}
