package io.github.iamauth4j.jdbc;

import io.github.iamauth4j.core.ConnectionCredentials;
import io.github.iamauth4j.core.IamAuthException;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.InsecureConnectionException;
import io.github.iamauth4j.core.internal.Texts;
import io.github.iamauth4j.jdbc.internal.ConnectionPlan;
import io.github.iamauth4j.jdbc.internal.FallbackConnect;
import io.github.iamauth4j.jdbc.internal.IamUrls;
import io.github.iamauth4j.jdbc.internal.PlanSettings;
import io.github.iamauth4j.jdbc.internal.RealDrivers;
import io.github.iamauth4j.jdbc.internal.SqlErrors;
import io.github.iamauth4j.jdbc.internal.TokenLease;
import io.github.iamauth4j.jdbc.internal.WrappedDataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A {@link DataSource} that opens every connection with a current IAM token as the password, for
 * any pool or framework that takes a {@code DataSource}: HikariCP 5/6 ({@code setDataSource}),
 * Apache DBCP2 ({@code DataSourceConnectionFactory}), Tomcat JDBC ({@code setDataSource}), c3p0
 * ({@code DataSources.pooledDataSource}), Spring ({@code @Bean DataSource}).
 *
 * <pre>{@code
 * IamDataSource iam = IamDataSource.builder()
 *     .url("jdbc:postgresql://db1.abc123.eu-west-1.rds.amazonaws.com:5432/app")
 *     .user("app")
 *     .build();                        // TLS verify-full set, first token fetched
 * HikariConfig hikari = new HikariConfig();
 * hikari.setDataSource(iam);
 * }</pre>
 *
 * <p>Two sources of connections: a driver URL plus properties (the real driver is found through
 * {@link java.sql.DriverManager}), or a driver's own data source ({@link
 * Builder#dataSource(DataSource)}: pgjdbc's {@code PGSimpleDataSource}, MySQL Connector/J's {@code
 * MysqlDataSource}, MariaDB's {@code MariaDbDataSource}; its TLS settings are checked, and
 * completed in place when none are set). Either way the TLS settings are checked when it is built
 * (see {@link InsecureConnectionException}).
 *
 * <p>{@link #getConnection()} connects as the configured user. {@link #getConnection(String,
 * String)} connects as the given user (null: the configured one) with a token for that user; the
 * password argument is ignored (pools pass their configured password, which IAM does not use).
 * Tokens come from the JVM's shared {@link IamTokenProvider} for each user's endpoint (one lease
 * per user held here), so a token is reused while fresh. {@link #close()} gives the leases back;
 * the last lease on a provider stops it.
 *
 * <p>Errors are {@link SQLException}s whose cause is the iamauth4j exception (non-transient for
 * configuration, transient when no token can be had).
 */
public final class IamDataSource implements DataSource, AutoCloseable {
  private final IamJdbcConfig config;
  private final ConnectionPlan plan;
  private final @Nullable DataSource delegate;
  private final @Nullable String defaultUser;
  private final ConcurrentMap<String, TokenLease> leases = new ConcurrentHashMap<>();
  private volatile boolean closed;
  private volatile @Nullable Driver driver;
  private volatile @Nullable PrintWriter logWriter;
  private volatile int loginTimeout;

  private IamDataSource(Builder b) {
    this.config = b.config;
    PlanSettings settings = PlanSettings.of(config);
    if (b.dataSource != null) {
      WrappedDataSource view = WrappedDataSource.of(b.dataSource);
      this.plan =
          ConnectionPlan.forUrl(
              view.url(),
              null,
              view.settings(),
              b.user != null ? b.user : view.user(),
              settings,
              "dataSource",
              "IamDataSource.builder().user(…) or the data source's user");
      try {
        view.apply(plan.added());
      } catch (SQLException e) {
        IamConfigurationException x =
            new IamConfigurationException(
                "dataSource: the driver refused the TLS settings " + plan.added().keySet());
        x.initCause(e);
        throw x;
      }
      this.delegate = b.dataSource;
    } else {
      IamUrls.Parsed parsed = IamUrls.parse(Objects.requireNonNull(b.url), "url");
      this.plan =
          ConnectionPlan.forUrl(
              parsed.url(),
              parsed.engine(),
              b.properties,
              b.user,
              settings,
              "url",
              "IamDataSource.builder().user(…) or the \"user\" property");
      this.delegate = null;
    }
    this.defaultUser = plan.defaultUser();
    if (defaultUser != null) {
      provider(defaultUser).prefetch();
    }
  }

  /** A builder: give a driver URL or a driver's data source. */
  public static Builder builder() {
    return new Builder();
  }

  private IamTokenProvider provider(String user) {
    IamTokenProvider given = config.tokenProvider();
    if (given != null) {
      IamTarget target = plan.target(user);
      if (!given.target().equals(target)) {
        throw new IamConfigurationException(
            "tokenProvider: signs for "
                + given.target().description()
                + " but the connection is to "
                + target.description()
                + " (expected a provider for the host, port and user connected to)");
      }
      return given;
    }
    TokenLease l = leases.get(user);
    if (l != null) {
      return l.provider();
    }
    TokenLease made = TokenLease.acquire(plan.authConfig(user, config.auth()));
    TokenLease raced = leases.putIfAbsent(user, made);
    if (raced != null) {
      made.close();
      return raced.provider();
    }
    if (closed) {
      leases.remove(user, made);
      made.close();
      throw new IllegalStateException("the IamDataSource is closed");
    }
    return made.provider().prefetch();
  }

  /**
   * The token provider of the configured user (for metrics or tests).
   *
   * @throws IamConfigurationException if no user is configured
   */
  public IamTokenProvider tokenProvider() {
    if (defaultUser == null) {
      throw new IamConfigurationException(
          "user: is not configured (set IamDataSource.builder().user(…))");
    }
    return provider(defaultUser);
  }

  /** Opens a connection as the configured user with a current token. */
  @Override
  public Connection getConnection() throws SQLException {
    return connect(null);
  }

  /**
   * Opens a connection as {@code username} (null: the configured user) with a current token for
   * that user. {@code password} is ignored: the token is the password.
   */
  @Override
  public Connection getConnection(@Nullable String username, @Nullable String password)
      throws SQLException {
    return connect(username);
  }

  private Connection connect(@Nullable String user) throws SQLException {
    IamTokenProvider tokens;
    ConnectionCredentials first;
    ConnectionPlan p = plan;
    try {
      String u = p.target(user).userName();
      tokens = provider(u);
      first = tokens.passwordFallbacks().credentials(p.describe());
    } catch (IamAuthException e) {
      throw SqlErrors.of(e);
    }
    DataSource ds = delegate;
    if (ds != null) {
      return FallbackConnect.connect(
          tokens.passwordFallbacks(), first, p.describe(), ds::getConnection);
    }
    Driver found = driver;
    if (found == null) {
      found = RealDrivers.forUrl(p.driverUrl(), p.engine());
      driver = found;
    }
    Driver d = found;
    return FallbackConnect.connect(
        tokens.passwordFallbacks(),
        first,
        p.describe(),
        (u, secret) -> {
          Connection c = d.connect(p.driverUrl(), p.properties(u, secret));
          if (c == null) {
            throw new SQLException(
                d.getClass().getName() + " did not accept " + Texts.printable(p.describe()),
                "08001");
          }
          return c;
        });
  }

  /**
   * Gives back this data source's leases on the shared token providers (the last lease on a
   * provider stops it; a provider given in the config is left to its owner). Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    List<TokenLease> all = new ArrayList<>(leases.values());
    leases.clear();
    all.forEach(TokenLease::close);
  }

  @Override
  public @Nullable PrintWriter getLogWriter() throws SQLException {
    return delegate != null ? delegate.getLogWriter() : logWriter;
  }

  @Override
  public void setLogWriter(@Nullable PrintWriter out) throws SQLException {
    if (delegate != null) {
      delegate.setLogWriter(out);
    } else {
      logWriter = out;
    }
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    if (delegate != null) {
      delegate.setLoginTimeout(seconds);
    } else {
      loginTimeout = seconds;
    }
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return delegate != null ? delegate.getLoginTimeout() : loginTimeout;
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
    if (delegate != null) {
      return delegate.unwrap(iface);
    }
    throw new SQLException("IamDataSource does not wrap a " + iface.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || (delegate != null && delegate.isWrapperFor(iface));
  }

  @Override
  public String toString() {
    return "IamDataSource["
        + (delegate == null ? Texts.printable(plan.describe()) : delegate.getClass().getName())
        + ", user="
        + (defaultUser == null ? "(not set)" : Texts.printable(defaultUser))
        + "]";
  }

  /** Builds an {@link IamDataSource}. */
  public static final class Builder {
    private @Nullable String url;
    private @Nullable DataSource dataSource;
    private @Nullable String user;
    private final Properties properties = new Properties();
    private IamJdbcConfig config = IamJdbcConfig.defaults();

    private Builder() {}

    /**
     * The real driver's URL, e.g. {@code
     * jdbc:mysql://db1.abc123.us-east-1.rds.amazonaws.com:3306/app} ({@code jdbc:iamauth4j:…} URLs
     * are accepted too). Not combinable with {@link #dataSource(DataSource)}.
     *
     * @param url the URL
     */
    public Builder url(String url) {
      this.url = Objects.requireNonNull(url, "url");
      return this;
    }

    /**
     * A driver's own data source to open connections with (pgjdbc, MySQL Connector/J or MariaDB
     * Connector/J). Its TLS settings are completed in place when none are set. Not combinable with
     * {@link #url(String)}.
     *
     * @param driverDataSource the data source
     */
    public Builder dataSource(DataSource driverDataSource) {
      this.dataSource = Objects.requireNonNull(driverDataSource, "dataSource");
      return this;
    }

    /**
     * The database user the tokens are for. Default: the {@code user} property or URL parameter, or
     * the wrapped data source's user.
     *
     * @param user the user
     */
    public Builder user(String user) {
      this.user = Objects.requireNonNull(user, "user");
      return this;
    }

    /**
     * A driver property (e.g. {@code sslrootcert}); {@code password} is ignored.
     *
     * @param name the name
     * @param value the value
     */
    public Builder property(String name, String value) {
      properties.setProperty(Objects.requireNonNull(name), Objects.requireNonNull(value));
      return this;
    }

    /**
     * Driver properties, added to those already given.
     *
     * @param props the properties
     */
    public Builder properties(Properties props) {
      props.stringPropertyNames().forEach(n -> properties.setProperty(n, props.getProperty(n)));
      return this;
    }

    /**
     * The token provider's settings, the CA bundle, the plaintext opt-out. Default {@link
     * IamJdbcConfig#defaults()}.
     *
     * @param config the configuration
     */
    public Builder config(IamJdbcConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * Builds the data source: checks the TLS settings, and starts fetching the first token.
     *
     * @throws IamConfigurationException naming the setting: neither or both of url and dataSource,
     *     an unparseable URL, TLS not guaranteed ({@link InsecureConnectionException}), no region
     */
    public IamDataSource build() {
      if ((url == null) == (dataSource == null)) {
        throw new IamConfigurationException(
            "url, dataSource: exactly one is required (a driver URL, or a driver's data source)");
      }
      return new IamDataSource(this);
    }
  }
}
