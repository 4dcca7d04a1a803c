package io.github.iamauth4j.jdbc.hikari;

import io.github.iamauth4j.core.ConnectionCredentials;
import io.github.iamauth4j.core.IamAuthException;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.internal.Texts;
import io.github.iamauth4j.jdbc.internal.ConnectionPlan;
import io.github.iamauth4j.jdbc.internal.FallbackConnect;
import io.github.iamauth4j.jdbc.internal.RealDrivers;
import io.github.iamauth4j.jdbc.internal.SqlErrors;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The data source {@link IamHikari} gives HikariCP when a password fallback is configured: HikariCP
 * makes each connection through it, so that a token the server refuses is retried with the password
 * inside the same attempt ({@link FallbackConnect}), which HikariCP's own driver path cannot do.
 * The credentials HikariCP passes are ignored: the fallbacks choose them.
 */
final class FallbackDataSource implements DataSource {
  private final ConnectionPlan plan;
  private final IamTokenProvider tokens;
  private volatile @Nullable Driver driver;
  private volatile int loginTimeout;

  FallbackDataSource(ConnectionPlan plan, IamTokenProvider tokens) {
    this.plan = plan;
    this.tokens = tokens;
  }

  @Override
  public Connection getConnection() throws SQLException {
    ConnectionCredentials first;
    try {
      first = tokens.passwordFallbacks().credentials("HikariCP connection to " + plan.describe());
    } catch (IamAuthException e) {
      throw SqlErrors.of(e);
    }
    Driver found = driver;
    if (found == null) {
      found = RealDrivers.forUrl(plan.driverUrl(), plan.engine());
      driver = found;
    }
    Driver d = found;
    return FallbackConnect.connect(
        tokens.passwordFallbacks(),
        first,
        "HikariCP connection to " + plan.describe(),
        (user, secret) -> {
          Connection c = d.connect(plan.driverUrl(), plan.properties(user, secret));
          if (c == null) {
            throw new SQLException(
                d.getClass().getName() + " did not accept " + Texts.printable(plan.describe()),
                "08001");
          }
          return c;
        });
  }

  @Override
  public Connection getConnection(@Nullable String username, @Nullable String password)
      throws SQLException {
    return getConnection();
  }

  @Override
  public @Nullable PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(@Nullable PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {
    this.loginTimeout = seconds;
  }

  @Override
  public int getLoginTimeout() {
    return loginTimeout;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("iamauth4j logs through SLF4J");
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException("not a wrapper of " + iface.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }

  @Override
  public String toString() {
    return "IamHikari fallback data source[" + Texts.printable(plan.describe()) + "]";
  }
}
