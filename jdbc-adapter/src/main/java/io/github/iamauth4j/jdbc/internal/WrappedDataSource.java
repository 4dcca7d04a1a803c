package io.github.iamauth4j.jdbc.internal;

import io.github.iamauth4j.core.IamConfigurationException;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A driver's own {@link DataSource} seen as a URL plus settings, so that its TLS settings can be
 * checked and completed like a URL's. Known: pgjdbc's {@code BaseDataSource} family ({@code
 * PGSimpleDataSource}, …), MySQL Connector/J's {@code MysqlDataSource} family and MariaDB's {@code
 * MariaDbDataSource}. Each driver's classes are touched only when the object is one of them, so the
 * other drivers need not be on the class path.
 */
public abstract class WrappedDataSource {
  /** The data source's endpoint and settings as a URL. */
  public abstract JdbcUrl url();

  /** Settings not in the URL. */
  public abstract Properties settings();

  /** The user set on the data source, or null. */
  public abstract @Nullable String user();

  /**
   * Sets TLS settings on the data source (it is changed in place).
   *
   * @param settings the settings to add
   * @throws SQLException if the driver refuses one
   */
  public abstract void apply(Map<String, String> settings) throws SQLException;

  /**
   * The view of {@code ds}.
   *
   * @param ds a driver's data source
   * @throws IamConfigurationException if it is of no known driver
   */
  public static WrappedDataSource of(DataSource ds) {
    for (Class<?> c = ds.getClass(); c != null; c = c.getSuperclass()) {
      switch (c.getName()) {
        case "org.postgresql.ds.common.BaseDataSource":
          return new PgjdbcDataSource(ds);
        case "com.mysql.cj.jdbc.MysqlDataSource":
          return new MysqlDataSource(ds);
        case "org.mariadb.jdbc.MariaDbDataSource":
          return new MariaDbDataSource(ds);
        default:
          break;
      }
    }
    throw new IamConfigurationException(
        "dataSource: "
            + ds.getClass().getName()
            + " is not a data source whose TLS settings iamauth4j can check (expected pgjdbc's"
            + " PGSimpleDataSource, MySQL Connector/J's MysqlDataSource or MariaDB's"
            + " MariaDbDataSource; for any other driver use IamDataSource.builder().url(…))");
  }

  private static final class PgjdbcDataSource extends WrappedDataSource {
    private final org.postgresql.ds.common.BaseDataSource ds;

    PgjdbcDataSource(DataSource ds) {
      this.ds = (org.postgresql.ds.common.BaseDataSource) ds;
    }

    @Override
    public JdbcUrl url() {
      // pgjdbc's URL carries every property that is set, sslmode included.
      return JdbcUrl.parse(ds.getUrl(), "dataSource");
    }

    @Override
    public Properties settings() {
      return new Properties();
    }

    @Override
    public @Nullable String user() {
      return ds.getUser();
    }

    @Override
    public void apply(Map<String, String> settings) throws SQLException {
      for (Map.Entry<String, String> e : settings.entrySet()) {
        ds.setProperty(e.getKey(), e.getValue());
      }
    }
  }

  private static final class MysqlDataSource extends WrappedDataSource {
    private final com.mysql.cj.jdbc.MysqlDataSource ds;

    MysqlDataSource(DataSource ds) {
      this.ds = (com.mysql.cj.jdbc.MysqlDataSource) ds;
    }

    @Override
    public JdbcUrl url() {
      return JdbcUrl.parse(ds.getUrl(), "dataSource");
    }

    @Override
    public Properties settings() {
      return ds.exposeAsProperties();
    }

    @Override
    public @Nullable String user() {
      return ds.getUser();
    }

    @Override
    public void apply(Map<String, String> settings) throws SQLException {
      for (Map.Entry<String, String> e : settings.entrySet()) {
        switch (e.getKey()) {
          case "sslMode":
            ds.setSslMode(e.getValue());
            break;
          case "trustCertificateKeyStoreUrl":
            ds.setTrustCertificateKeyStoreUrl(e.getValue());
            break;
          case "trustCertificateKeyStoreType":
            ds.setTrustCertificateKeyStoreType(e.getValue());
            break;
          case "trustCertificateKeyStorePassword":
            ds.setTrustCertificateKeyStorePassword(e.getValue());
            break;
          default:
            throw new SQLException("cannot set " + e.getKey() + " on a MysqlDataSource");
        }
      }
    }
  }

  private static final class MariaDbDataSource extends WrappedDataSource {
    private final org.mariadb.jdbc.MariaDbDataSource ds;

    MariaDbDataSource(DataSource ds) {
      this.ds = (org.mariadb.jdbc.MariaDbDataSource) ds;
    }

    @Override
    public JdbcUrl url() {
      String url = ds.getUrl();
      if (url == null) {
        throw new IamConfigurationException("dataSource: the MariaDbDataSource has no URL set");
      }
      return JdbcUrl.parse(url, "dataSource");
    }

    @Override
    public Properties settings() {
      return new Properties();
    }

    @Override
    public @Nullable String user() {
      return ds.getUser();
    }

    @Override
    public void apply(Map<String, String> settings) throws SQLException {
      if (settings.isEmpty()) {
        return;
      }
      StringBuilder url = new StringBuilder(ds.getUrl());
      char sep = url.indexOf("?") < 0 ? '?' : '&';
      for (Map.Entry<String, String> e : settings.entrySet()) {
        url.append(sep)
            .append(e.getKey())
            .append('=')
            // MariaDB Connector/J does not percent-decode URL options.
            .append(e.getValue());
        sep = '&';
      }
      ds.setUrl(url.toString());
    }
  }
}
