package io.github.iamauth4j.jdbc;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/** A data source of no known driver. */
final class IamDataSourceTestStub implements DataSource {
  @Override
  public Connection getConnection() throws SQLException {
    throw new SQLException("stub");
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLException("stub");
  }

  @Override
  public PrintWriter getLogWriter() {
    return new PrintWriter(System.out);
  }

  @Override
  public void setLogWriter(PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    throw new SQLException("stub");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return false;
  }
}
