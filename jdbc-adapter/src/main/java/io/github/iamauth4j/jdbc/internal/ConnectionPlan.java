package io.github.iamauth4j.jdbc.internal;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.jdbc.IamJdbcConfig;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Everything needed to open connections to one driver URL with tokens, decided once: the engine,
 * the URL for the real driver (iamauth4j parameters, user and password removed), the driver
 * properties with the TLS defaults added, the default user and the endpoint to sign for.
 */
public final class ConnectionPlan {
  private final Engine engine;
  private final JdbcUrl driverUrl;
  private final Properties baseProperties;
  private final @Nullable String defaultUser;
  private final String signHost;
  private final int signPort;
  private final String userSetting;

  private ConnectionPlan(
      Engine engine,
      JdbcUrl driverUrl,
      Properties baseProperties,
      @Nullable String defaultUser,
      String signHost,
      int signPort,
      String userSetting) {
    this.engine = engine;
    this.driverUrl = driverUrl;
    this.baseProperties = baseProperties;
    this.defaultUser = defaultUser;
    this.signHost = signHost;
    this.signPort = signPort;
    this.userSetting = userSetting;
  }

  /**
   * Plans connections to {@code url}.
   *
   * @param url the driver URL (scheme {@code postgresql}, {@code mysql} or {@code mariadb})
   * @param forcedEngine the engine if the caller knows it ({@code dsql}), else null to take it from
   *     the scheme and host
   * @param info the connection properties (iamauth4j properties among them are not passed on)
   * @param explicitUser a user given outside URL and properties, or null
   * @param caBundle the CA bundle, or null
   * @param allowPlaintext the plaintext opt-out
   * @param signingHost the host to sign for instead, or null
   * @param signingPort the port to sign for instead, or -1
   * @param userSetting how to set the user, for the error when none is given
   * @throws IamConfigurationException naming the setting: TLS refused, conflicting users, …
   */
  public static ConnectionPlan of(
      JdbcUrl url,
      @Nullable Engine forcedEngine,
      Properties info,
      @Nullable String explicitUser,
      @Nullable Path caBundle,
      boolean allowPlaintext,
      @Nullable String signingHost,
      int signingPort,
      String userSetting) {
    Engine scheme =
        Engine.forDriverScheme(url.scheme())
            .orElseThrow(() -> new IamConfigurationException("url: unsupported driver"));
    Engine engine = forcedEngine != null ? forcedEngine : Endpoints.refine(scheme, url.host());
    JdbcUrl u = url;
    if (engine == Engine.DSQL) {
      u = u.withPortIfAbsent(Engine.DSQL.defaultPort());
    }
    Properties props = new Properties();
    for (String name : info.stringPropertyNames()) {
      if (!IamJdbcConfig.isIamProperty(name) && !isUserOrPassword(name)) {
        props.setProperty(name, info.getProperty(name));
      }
    }
    Lookup settings = Lookup.of(u, props);
    Map<String, String> add = TlsPolicy.apply(engine, settings, caBundle, allowPlaintext);
    add.forEach(props::setProperty);

    String user = explicitUser;
    if (user == null) {
      Set<String> users = new HashSet<>();
      users.addAll(u.values("user"));
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
    JdbcUrl driverUrl = u.without(k -> IamJdbcConfig.isIamProperty(k) || isUserOrPassword(k));
    String h = signingHost != null ? signingHost : u.host();
    int p = signingPort > 0 ? signingPort : (u.port() > 0 ? u.port() : engine.defaultPort());
    return new ConnectionPlan(engine, driverUrl, props, user, h, p, userSetting);
  }

  private static boolean isUserOrPassword(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.equals("user") || n.equals("password");
  }

  /** The engine. */
  public Engine engine() {
    return engine;
  }

  /** The URL to hand to the real driver. May carry secrets of the user's: never log it. */
  public String driverUrl() {
    return driverUrl.text();
  }

  /** The driver URL without its parameters, for messages. */
  public String describe() {
    return driverUrl.toString();
  }

  /** The user from the URL, the properties or the caller, or null. */
  public @Nullable String defaultUser() {
    return defaultUser;
  }

  /**
   * The target to sign for when connecting as {@code user}.
   *
   * @param user the database user, or null for the default one
   * @throws IamConfigurationException if there is no user
   */
  public IamTarget target(@Nullable String user) {
    return Endpoints.target(
        engine, signHost, signPort, user != null ? user : defaultUser, null, -1, userSetting);
  }

  /**
   * The driver properties for one connection with {@code token}.
   *
   * @param token the token (its user is the connection's user)
   */
  public Properties properties(AuthToken token) {
    Properties p = new Properties();
    p.putAll(baseProperties);
    p.setProperty("user", token.userName());
    p.setProperty("password", token.value());
    return p;
  }

  /** The driver properties without user and password (for tests: what TLS settings were added). */
  public Properties baseProperties() {
    Properties p = new Properties();
    p.putAll(baseProperties);
    return p;
  }
}
