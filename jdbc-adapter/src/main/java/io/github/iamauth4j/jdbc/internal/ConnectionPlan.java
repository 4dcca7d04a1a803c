package io.github.iamauth4j.jdbc.internal;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.jdbc.IamJdbcConfig;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The one pipeline every way in runs, settings → endpoint → TLS → target → token configuration,
 * decided once per URL (or per connection, for the plugins): the engine, the URL for the real
 * driver (iamauth4j parameters, user and password removed), the driver properties with the TLS
 * defaults and the CA bundle added, the default user, the endpoint to sign for, and the names the
 * user wrote for each setting (so that a problem found by the core names {@code iamRegion}, not
 * {@code region}).
 */
public final class ConnectionPlan {
  /** What the TLS step may do. */
  public enum Tls {
    /** Check, and add the safest settings when none are given (before the connection is made). */
    COMPLETE,
    /** Only check (a hook that runs after the connection is made cannot turn TLS on). */
    CHECK_ONLY
  }

  private final Engine engine;
  private final @Nullable JdbcUrl driverUrl;
  private final String where;
  private final Properties baseProperties;
  private final Map<String, String> added;
  private final @Nullable String defaultUser;
  private final String signHost;
  private final int signPort;
  private final String userSetting;
  private final SettingNames names;

  private ConnectionPlan(
      Engine engine,
      @Nullable JdbcUrl driverUrl,
      String where,
      Properties baseProperties,
      Map<String, String> added,
      @Nullable String defaultUser,
      String signHost,
      int signPort,
      String userSetting,
      SettingNames names) {
    this.engine = engine;
    this.driverUrl = driverUrl;
    this.where = where;
    this.baseProperties = baseProperties;
    this.added = added;
    this.defaultUser = defaultUser;
    this.signHost = signHost;
    this.signPort = signPort;
    this.userSetting = userSetting;
    this.names = names;
  }

  /**
   * Plans connections to a driver URL (the URL driver, {@code IamDataSource}, {@code IamHikari}).
   *
   * @param url the driver URL (scheme {@code postgresql}, {@code mysql} or {@code mariadb})
   * @param forcedEngine the engine if the caller knows it ({@code dsql}), else null to take it from
   *     the scheme and host
   * @param info the connection properties (iamauth4j properties among them are not passed on)
   * @param explicitUser a user given outside URL and properties, or null
   * @param settings the CA bundle, the plaintext opt-out and the endpoint to sign for
   * @param urlSetting how the user set the URL, for messages (e.g. {@code url}, {@code jdbcUrl})
   * @param userSetting how to set the user, for the error when none is given
   * @throws IamConfigurationException naming the setting: TLS refused, an unreadable CA bundle,
   *     conflicting users, …
   */
  public static ConnectionPlan forUrl(
      JdbcUrl url,
      @Nullable Engine forcedEngine,
      Properties info,
      @Nullable String explicitUser,
      PlanSettings settings,
      String urlSetting,
      String userSetting) {
    Engine scheme =
        Engine.forDriverScheme(url.scheme())
            .orElseThrow(() -> new IamConfigurationException(urlSetting + ": unsupported driver"));
    Engine engine = forcedEngine != null ? forcedEngine : Endpoints.refine(scheme, url.host());
    JdbcUrl u = url;
    if (engine == Engine.DSQL) {
      u = u.withPortIfAbsent(Engine.DSQL.defaultPort());
    }
    Properties props = driverProperties(info);
    Lookup lookup = Lookup.of(u, props);
    JdbcUrl driverUrl = u.without(k -> PropertySettings.isIamProperty(k) || isUserOrPassword(k));
    String where = driverUrl.toString();
    Map<String, String> add = TlsPolicy.apply(engine, where, lookup, settings);
    add.forEach(props::setProperty);

    String user = explicitUser;
    if (user == null) {
      Set<String> users = new HashSet<>(u.values("user"));
      for (String name : info.stringPropertyNames()) {
        if (name.equalsIgnoreCase("user")) {
          users.add(info.getProperty(name));
        }
      }
      users.remove("");
      if (users.size() > 1) {
        throw new IamConfigurationException(
            "user: given more than once with different values (URL and properties); give it once");
      }
      user = users.isEmpty() ? null : users.iterator().next();
    }
    return plan(
        engine,
        driverUrl,
        where,
        props,
        add,
        user,
        u.host(),
        u.port(),
        settings,
        urlSetting,
        userSetting);
  }

  /**
   * Plans one connection to an endpoint the caller already knows (the pgjdbc and wrapper plugins).
   *
   * @param engine the driver's engine ({@code POSTGRESQL} becomes {@code DSQL} for a DSQL host)
   * @param host the host connected to
   * @param port the port connected to, or -1 for the engine's default
   * @param info the connection properties, the user among them
   * @param settings the CA bundle, the plaintext opt-out and the endpoint to sign for
   * @param tls whether TLS settings may be added
   * @param hostSetting how the user set the host, for messages
   * @throws IamConfigurationException naming the setting: TLS refused, an unreadable CA bundle, …
   */
  public static ConnectionPlan forEndpoint(
      Engine engine,
      String host,
      int port,
      Properties info,
      PlanSettings settings,
      Tls tls,
      String hostSetting) {
    Engine e = Endpoints.refine(engine, host);
    Properties props = driverProperties(info);
    Lookup lookup = Lookup.of(null, info);
    String where = "jdbc:" + e.driverScheme() + "://" + host + (port > 0 ? ":" + port : "");
    Map<String, String> add;
    if (tls == Tls.COMPLETE) {
      add = TlsPolicy.apply(e, where, lookup, settings);
    } else {
      TlsPolicy.check(e, where, lookup, settings);
      add = Map.of();
    }
    add.forEach(props::setProperty);
    String user = null;
    for (String name : info.stringPropertyNames()) {
      if (name.equalsIgnoreCase("user")) {
        user = info.getProperty(name);
      }
    }
    return plan(
        e, null, where, props, add, user, host, port, settings, hostSetting, "the user property");
  }

  private static ConnectionPlan plan(
      Engine engine,
      @Nullable JdbcUrl driverUrl,
      String where,
      Properties props,
      Map<String, String> add,
      @Nullable String user,
      String host,
      int port,
      PlanSettings settings,
      String urlSetting,
      String userSetting) {
    String signingHost = settings.signingHost();
    String h = signingHost != null ? signingHost : host;
    int p =
        settings.signingPort() > 0
            ? settings.signingPort()
            : (port > 0 ? port : engine.defaultPort());
    String hostSetting =
        signingHost == null
            ? urlSetting
            : settings.fromProperties() ? IamJdbcConfig.SIGNING_HOST : "signingEndpoint";
    String portSetting =
        settings.signingPort() <= 0
            ? urlSetting
            : settings.fromProperties() ? IamJdbcConfig.SIGNING_PORT : "signingEndpoint";
    SettingNames names =
        settings.fromProperties()
            ? SettingNames.properties(hostSetting, portSetting, "user")
            : SettingNames.builder(hostSetting, portSetting, "user");
    return new ConnectionPlan(
        engine,
        driverUrl,
        where,
        props,
        Collections.unmodifiableMap(new LinkedHashMap<>(add)),
        user,
        h,
        p,
        userSetting,
        names);
  }

  private static Properties driverProperties(Properties info) {
    Properties props = new Properties();
    for (String name : info.stringPropertyNames()) {
      if (!PropertySettings.isIamProperty(name) && !isUserOrPassword(name)) {
        props.setProperty(name, info.getProperty(name));
      }
    }
    return props;
  }

  private static boolean isUserOrPassword(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.equals("user") || n.equals("password");
  }

  /** The engine. */
  public Engine engine() {
    return engine;
  }

  /**
   * The URL to hand to the real driver. May carry secrets of the user's: never log it.
   *
   * @throws IllegalStateException for a plan of an endpoint (the plugins)
   */
  public String driverUrl() {
    return Objects.requireNonNull(driverUrl, "a plan of an endpoint has no URL").text();
  }

  /** The connection without its parameters, for messages. */
  public String describe() {
    return where;
  }

  /** The user from the URL, the properties or the caller, or null. */
  public @Nullable String defaultUser() {
    return defaultUser;
  }

  /** The TLS settings added (defaults and the CA bundle), in order. */
  public Map<String, String> added() {
    return added;
  }

  /**
   * The target to sign for when connecting as {@code user}.
   *
   * @param user the database user, or null for the default one
   * @throws IamConfigurationException if there is no user, or the host or user is invalid (named as
   *     the user set them)
   */
  public IamTarget target(@Nullable String user) {
    try {
      return Endpoints.target(
          engine, signHost, signPort, user != null ? user : defaultUser, userSetting);
    } catch (IamConfigurationException e) {
      throw names.rename(e);
    }
  }

  /**
   * The token provider's configuration for connections as {@code user}: {@code template} with this
   * plan's target. Resolves the region (from the setting, the host name, else the AWS SDK's chain).
   *
   * @param user the database user, or null for the default one
   * @param template the token provider's settings, without a target (copied, not changed)
   * @throws IamConfigurationException naming each setting as the user wrote it: no region found, an
   *     unknown region, an out-of-range token life, no user
   */
  public IamAuthConfig authConfig(@Nullable String user, IamAuthConfig.Builder template) {
    IamTarget target = target(user);
    try {
      return template.copy().target(target).build();
    } catch (IamConfigurationException e) {
      throw names.rename(e);
    }
  }

  /**
   * The driver properties for one connection with {@code token}.
   *
   * @param token the token (its user is the connection's user)
   */
  public Properties properties(AuthToken token) {
    return properties(token.userName(), token.value());
  }

  /**
   * The driver properties for one connection as {@code user} with {@code secret} (a token, or the
   * fallback password).
   *
   * @param user the database user
   * @param secret the token or password
   */
  public Properties properties(String user, String secret) {
    Properties p = new Properties();
    p.putAll(baseProperties);
    p.setProperty("user", user);
    p.setProperty("password", secret);
    return p;
  }

  /** The driver properties without user and password (what TLS settings were added among them). */
  public Properties baseProperties() {
    Properties p = new Properties();
    p.putAll(baseProperties);
    return p;
  }
}
