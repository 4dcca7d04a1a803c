package io.github.iamauth4j.jdbc;

import io.github.iamauth4j.core.IamAuthException;
import io.github.iamauth4j.core.IamAuthListener;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.InsecureConnectionException;
import io.github.iamauth4j.jdbc.internal.ConnectionPlan;
import io.github.iamauth4j.jdbc.internal.DriverLeases;
import io.github.iamauth4j.jdbc.internal.FallbackConnect;
import io.github.iamauth4j.jdbc.internal.IamUrls;
import io.github.iamauth4j.jdbc.internal.Lookup;
import io.github.iamauth4j.jdbc.internal.PropertySettings;
import io.github.iamauth4j.jdbc.internal.RealDrivers;
import io.github.iamauth4j.jdbc.internal.SqlErrors;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * A JDBC driver for IAM database authentication by URL alone: {@code jdbc:iamauth4j:<engine>://…}
 * opens a connection with the real driver ({@code jdbc:<engine>://…}) and a current IAM token as
 * the password. Registered through {@code META-INF/services/java.sql.Driver}.
 *
 * <pre>{@code
 * # Spring Boot 3.5 and 4.0: the driver class must be named, or start-up stops with "Failed to
 * # determine a suitable driver class" (Boot picks the driver from the URL's prefix, not from
 * # DriverManager)
 * spring.datasource.url=jdbc:iamauth4j:postgresql://db1.abc123.eu-west-1.rds.amazonaws.com:5432/app
 * spring.datasource.username=app
 * spring.datasource.driver-class-name=io.github.iamauth4j.jdbc.IamDriver
 * }</pre>
 *
 * <ul>
 *   <li>{@code jdbc:iamauth4j:postgresql://} (pgjdbc), {@code jdbc:iamauth4j:mysql://} (MySQL
 *       Connector/J), {@code jdbc:iamauth4j:mariadb://} (MariaDB Connector/J), {@code
 *       jdbc:iamauth4j:dsql://<id>.dsql.<region>.on.aws/postgres} (Aurora DSQL through pgjdbc; role
 *       {@code admin} signs {@code DbConnectAdmin}).
 *   <li>The user: the {@code user} property (Spring's username) or URL parameter. A password, if
 *       given, is ignored: the token is the password.
 *   <li>The region: {@value IamJdbcConfig#REGION}, else the host name (RDS, DSQL), else the AWS SDK
 *       region chain. Credentials: {@value IamJdbcConfig#PROFILE} or {@value
 *       IamJdbcConfig#CREDENTIALS_PROVIDER}, else the default chain. Other settings: see {@link
 *       IamJdbcConfig}. They may be URL parameters or properties (the URL wins) and are not passed
 *       to the real driver.
 *   <li>TLS: refused unless it is guaranteed; {@code sslmode=verify-full} / {@code
 *       sslMode=VERIFY_IDENTITY} / {@code sslMode=verify-full} is set when none is given (see
 *       {@link InsecureConnectionException}).
 *   <li>One token provider per (endpoint, user, region, credentials, token life) in the JVM (the
 *       core's shared providers, leased here: at most 64, the least recently used let go), so
 *       connections reuse the current token; {@link #addListener(IamAuthListener)} observes them. A
 *       provider that has no token to give is let go at once, so nothing retries in the background
 *       for a connection that failed.
 * </ul>
 *
 * <p>Errors are {@link SQLException}s whose cause is the iamauth4j exception: a misspelled or
 * missing {@value IamJdbcConfig#PROFILE}, or an unusable {@value
 * IamJdbcConfig#CREDENTIALS_PROVIDER}, makes a {@link
 * java.sql.SQLInvalidAuthorizationSpecException} (SQLSTATE 28000); any other {@link
 * IamConfigurationException} (bad URL, missing user, no region, refused TLS) a {@link
 * java.sql.SQLNonTransientConnectionException}; an unavailable token a {@link
 * java.sql.SQLTransientConnectionException}, so pools retry.
 */
public final class IamDriver implements Driver {
  /** The URL prefix this driver accepts. */
  public static final String URL_PREFIX = IamUrls.PREFIX;

  static {
    try {
      DriverManager.registerDriver(new IamDriver());
    } catch (SQLException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Made by {@link DriverManager} through the service loader, or by a pool by class name. */
  public IamDriver() {}

  /**
   * Adds a listener for the token events of every connection this driver, the pgjdbc plugin and the
   * aws-advanced-jdbc-wrapper plugin open (e.g. to count tokens in metrics).
   *
   * @param listener the listener; must return quickly
   */
  public static void addListener(IamAuthListener listener) {
    DriverLeases.addListener(listener);
  }

  /**
   * Removes a listener added with {@link #addListener(IamAuthListener)}.
   *
   * @param listener the listener
   */
  public static void removeListener(IamAuthListener listener) {
    DriverLeases.removeListener(listener);
  }

  /**
   * Gives back the leases this driver and the plugins hold on the shared token providers: a
   * provider no one else leases is closed (its background refreshes stop). Connections opened later
   * take new leases. For application shutdown and tests.
   */
  public static void closeSharedTokenProviders() {
    DriverLeases.closeAll();
  }

  @Override
  public boolean acceptsURL(@Nullable String url) {
    return IamUrls.isIamUrl(url);
  }

  @Override
  public @Nullable Connection connect(@Nullable String url, @Nullable Properties info)
      throws SQLException {
    if (url == null || !acceptsURL(url)) {
      return null;
    }
    Properties props = info != null ? info : new Properties();
    ConnectionPlan plan;
    DriverLeases.Leased leased;
    try {
      IamUrls.Parsed parsed = IamUrls.parse(url, "url");
      PropertySettings settings = PropertySettings.read(Lookup.of(parsed.url(), props));
      plan =
          ConnectionPlan.forUrl(
              parsed.url(),
              parsed.engine(),
              props,
              null,
              settings.plan(),
              "url",
              "the \"user\" property, e.g. spring.datasource.username");
      leased = DriverLeases.credentials(plan, settings);
    } catch (IamAuthException e) {
      throw SqlErrors.of(e);
    }
    Driver real = RealDrivers.forUrl(plan.driverUrl(), plan.engine());
    ConnectionPlan p = plan;
    return FallbackConnect.connect(
        leased.fallbacks(),
        leased.credentials(),
        plan.describe(),
        (user, secret) -> {
          Connection c = real.connect(p.driverUrl(), p.properties(user, secret));
          if (c == null) {
            throw new SQLException(
                real.getClass().getName() + " did not accept " + p.describe(), "08001");
          }
          return c;
        });
  }

  @Override
  public DriverPropertyInfo[] getPropertyInfo(@Nullable String url, @Nullable Properties info)
      throws SQLException {
    List<DriverPropertyInfo> out = new ArrayList<>();
    out.add(property("user", "the database user (role) the token is signed for"));
    out.add(property(IamJdbcConfig.REGION, "the signing region; default from the host name"));
    out.add(property(IamJdbcConfig.PROFILE, "an AWS profile to take credentials from"));
    out.add(
        property(
            IamJdbcConfig.CREDENTIALS_PROVIDER,
            "class name of an AwsCredentialsProvider (static create() or no-arg constructor)"));
    out.add(property(IamJdbcConfig.TOKEN_EXPIRY, "token life: seconds or ISO-8601; default 900"));
    out.add(property(IamJdbcConfig.CA_BUNDLE, "PEM file of CA certificates to trust"));
    out.add(
        property(
            IamJdbcConfig.ALLOW_PLAINTEXT,
            "true lets tokens go without TLS: local test servers only"));
    out.add(property(IamJdbcConfig.SIGNING_HOST, "host to sign for instead of the URL's"));
    out.add(property(IamJdbcConfig.SIGNING_PORT, "port to sign for instead of the URL's"));
    return out.toArray(new DriverPropertyInfo[0]);
  }

  private static DriverPropertyInfo property(String name, String description) {
    DriverPropertyInfo p = new DriverPropertyInfo(name, null);
    p.description = description;
    p.required = name.equals("user");
    return p;
  }

  @Override
  public int getMajorVersion() {
    return 0;
  }

  @Override
  public int getMinorVersion() {
    return 1;
  }

  @Override
  public boolean jdbcCompliant() {
    return false;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("iamauth4j logs through SLF4J");
  }
}
