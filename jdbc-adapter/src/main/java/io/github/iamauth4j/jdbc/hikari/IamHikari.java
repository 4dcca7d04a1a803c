package io.github.iamauth4j.jdbc.hikari;

import com.zaxxer.hikari.HikariConfig;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.InsecureConnectionException;
import io.github.iamauth4j.jdbc.IamDriver;
import io.github.iamauth4j.jdbc.IamJdbcConfig;
import io.github.iamauth4j.jdbc.internal.ConnectionPlan;
import io.github.iamauth4j.jdbc.internal.Engine;
import io.github.iamauth4j.jdbc.internal.JdbcUrl;
import io.github.iamauth4j.jdbc.internal.Lookup;
import io.github.iamauth4j.jdbc.internal.PlanSettings;
import io.github.iamauth4j.jdbc.internal.PropertySettings;
import io.github.iamauth4j.jdbc.internal.TokenLease;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires IAM authentication into a HikariCP 7 pool through its {@code HikariCredentialsProvider}.
 *
 * <pre>{@code
 * HikariConfig hikari = new HikariConfig();
 * hikari.setJdbcUrl("jdbc:postgresql://db1.abc123.eu-west-1.rds.amazonaws.com:5432/app");
 * hikari.setUsername("app");
 * IamHikari.configure(hikari);                 // TLS checked, sslmode=verify-full if unset
 * HikariDataSource pool = new HikariDataSource(hikari);
 * }</pre>
 *
 * <p>Reads the endpoint and TLS settings from {@code jdbcUrl} and the data source properties,
 * refuses settings that do not guarantee TLS ({@link InsecureConnectionException}), adds {@code
 * sslmode=verify-full} / {@code sslMode=VERIFY_IDENTITY} / {@code sslMode=verify-full} (and the CA
 * bundle) as data source properties when none are given, leases the JVM's shared token provider for
 * the endpoint and user, starts fetching the first token, and sets the pool's credentials provider.
 * Call it before the pool starts. For Aurora DSQL, which closes a session after one hour, a {@code
 * maxLifetime} of 0 (no limit) or over 55 minutes is lowered to 55 minutes with a warning.
 */
public final class IamHikari {
  private static final Logger log = LoggerFactory.getLogger(IamHikari.class);

  private IamHikari() {}

  /**
   * Configures {@code hikari} with {@link IamJdbcConfig#defaults()}.
   *
   * @param hikari the pool's configuration, with {@code jdbcUrl} and {@code username} set
   * @return the credentials provider set on {@code hikari}; close it after the pool
   * @throws IamConfigurationException naming the setting (see {@link #configure(HikariConfig,
   *     IamJdbcConfig)})
   */
  public static IamHikariCredentialsProvider configure(HikariConfig hikari) {
    return configure(hikari, IamJdbcConfig.defaults());
  }

  /**
   * Configures {@code hikari}.
   *
   * @param hikari the pool's configuration, with {@code jdbcUrl} (a pgjdbc, MySQL Connector/J or
   *     MariaDB Connector/J URL to one host) and {@code username} (or a {@code user} URL parameter)
   * @param config the token provider's settings ({@link IamJdbcConfig.Builder#auth}), CA bundle,
   *     opt-outs
   * @return the credentials provider set on {@code hikari}; close it after the pool to give back
   *     its lease on the shared token provider
   * @throws IamConfigurationException naming the setting: no or unparseable {@code jdbcUrl}, a
   *     {@code jdbc:iamauth4j:} URL (use it alone instead), no user, TLS not guaranteed ({@link
   *     InsecureConnectionException}), no region found
   */
  public static IamHikariCredentialsProvider configure(HikariConfig hikari, IamJdbcConfig config) {
    String jdbcUrl = hikari.getJdbcUrl();
    if (jdbcUrl == null) {
      throw new IamConfigurationException(
          "jdbcUrl: is required (IamHikari reads the endpoint and TLS settings from it; to pool a"
              + " driver DataSource, wrap it with IamDataSource and set that as the DataSource)");
    }
    if (jdbcUrl.regionMatches(true, 0, IamDriver.URL_PREFIX, 0, IamDriver.URL_PREFIX.length())) {
      throw new IamConfigurationException(
          "jdbcUrl: is a jdbc:iamauth4j: URL, whose driver already signs tokens; use either that"
              + " URL alone, or a driver URL (e.g. jdbc:postgresql://…) with IamHikari.configure");
    }
    if (hikari.getDataSource() != null || hikari.getDataSourceClassName() != null) {
      throw new IamConfigurationException(
          "dataSource, dataSourceClassName: set together with jdbcUrl; HikariCP would not use"
              + " jdbcUrl, so IamHikari cannot check the TLS settings (use jdbcUrl alone)");
    }
    Properties dsProps = hikari.getDataSourceProperties();
    JdbcUrl url = JdbcUrl.parse(jdbcUrl, "jdbcUrl");
    for (String k : url.keys()) {
      if (PropertySettings.isIamProperty(k)) {
        throw new IamConfigurationException(
            k
                + ": iamauth4j URL parameters are read by the jdbc:iamauth4j: driver; with"
                + " IamHikari, set it in IamJdbcConfig instead");
      }
    }
    if (!url.values("password").isEmpty()) {
      throw new IamConfigurationException(
          "jdbcUrl: has a password parameter, which the driver would use instead of the token"
              + " (remove it)");
    }
    String username = hikari.getUsername();
    if (username != null && url.values("user").stream().anyMatch(u -> !u.equals(username))) {
      throw new IamConfigurationException(
          "jdbcUrl: its user parameter differs from the pool's username (give the user once)");
    }
    if (Lookup.of(null, dsProps).has("password") || hikari.getPassword() != null) {
      log.info("HikariCP password is set but unused: each connection uses an IAM token");
    }
    ConnectionPlan plan =
        ConnectionPlan.forUrl(
            url,
            null,
            dsProps,
            username,
            PlanSettings.of(config),
            "jdbcUrl",
            "HikariConfig.setUsername(…)");
    if (plan.engine() == Engine.DSQL) {
      DsqlLifetime.fit(hikari); // Aurora DSQL closes a session after one hour.
    }
    Properties added = plan.baseProperties();
    for (String k : added.stringPropertyNames()) {
      if (!dsProps.containsKey(k)) {
        hikari.addDataSourceProperty(k, added.getProperty(k));
      }
    }
    IamTokenProvider given = config.tokenProvider();
    IamHikariCredentialsProvider credentials;
    if (given != null) {
      checkSignsFor(given, plan);
      credentials = new IamHikariCredentialsProvider(given.prefetch(), null);
    } else {
      TokenLease lease = TokenLease.acquire(plan.authConfig(null, config.auth()));
      credentials = new IamHikariCredentialsProvider(lease.provider().prefetch(), lease);
    }
    hikari.setCredentialsProvider(credentials);
    if (credentials.tokenProvider().passwordFallbacks().enabled()) {
      // A refused token must be retried with the password inside the same attempt, which
      // HikariCP's own driver path cannot do: HikariCP connects through this data source instead
      // (its jdbcUrl is then unused; the plan carries the URL and the TLS settings).
      hikari.setDataSource(new FallbackDataSource(plan, credentials.tokenProvider()));
    }
    return credentials;
  }

  private static void checkSignsFor(IamTokenProvider given, ConnectionPlan plan) {
    if (!given.target().equals(plan.target(null))) {
      throw new IamConfigurationException(
          "tokenProvider: signs for "
              + given.target().description()
              + " but the pool connects to "
              + plan.target(null).description()
              + " (expected a provider for the host, port and user connected to)");
    }
  }
}
