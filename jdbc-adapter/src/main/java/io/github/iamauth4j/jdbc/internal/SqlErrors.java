package io.github.iamauth4j.jdbc.internal;

import io.github.iamauth4j.core.IamAuthException;
import io.github.iamauth4j.core.IamConfigurationException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/**
 * Turns iamauth4j's exceptions into the {@link SQLException}s JDBC callers and pools expect,
 * keeping the original as the cause: configuration errors (including refused TLS settings) are
 * non-transient, an unavailable token is transient (a pool retries).
 */
public final class SqlErrors {
  private SqlErrors() {}

  /**
   * The SQL exception for {@code e}.
   *
   * @param e an iamauth4j exception
   */
  public static SQLException of(IamAuthException e) {
    if (e instanceof IamConfigurationException) {
      return new SQLNonTransientConnectionException(e.getMessage(), "08001", e);
    }
    return new SQLTransientConnectionException(e.getMessage(), "08001", e);
  }
}
