package io.github.iamauth4j.jdbc.awswrapper;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.IamAuthException;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.internal.Texts;
import io.github.iamauth4j.jdbc.internal.ConnectionPlan;
import io.github.iamauth4j.jdbc.internal.DriverLeases;
import io.github.iamauth4j.jdbc.internal.Engine;
import io.github.iamauth4j.jdbc.internal.Lookup;
import io.github.iamauth4j.jdbc.internal.PropertySettings;
import io.github.iamauth4j.jdbc.internal.SqlErrors;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import software.amazon.jdbc.HostSpec;
import software.amazon.jdbc.JdbcCallable;
import software.amazon.jdbc.JdbcMethod;
import software.amazon.jdbc.PluginService;
import software.amazon.jdbc.PropertyDefinition;
import software.amazon.jdbc.plugin.AbstractConnectionPlugin;

/**
 * Sets each connection's password to a current IAM token for the host the wrapper is connecting to
 * (the cluster endpoint, or after a failover the instance it chose), checking and completing the
 * target driver's TLS settings first. Tokens come from providers shared per (host, port, user,
 * region, credentials, token life), so connections reuse the current token. Settings: see {@link
 * io.github.iamauth4j.jdbc.IamJdbcConfig} (connection properties {@code iamRegion}, …). Made by
 * {@link IamAuth4jConnectionPluginFactory}.
 */
final class IamAuth4jConnectionPlugin extends AbstractConnectionPlugin {
  private static final Set<String> METHODS =
      Set.of(JdbcMethod.CONNECT.methodName, JdbcMethod.FORCECONNECT.methodName);

  private final PluginService pluginService;

  /**
   * @param pluginService the wrapper's plugin service (for the dialect's default port)
   */
  IamAuth4jConnectionPlugin(PluginService pluginService) {
    this.pluginService = pluginService;
  }

  @Override
  public Set<String> getSubscribedMethods() {
    return METHODS;
  }

  @Override
  public Connection connect(
      String driverProtocol,
      HostSpec hostSpec,
      Properties props,
      boolean isInitialConnection,
      JdbcCallable<Connection, SQLException> connectFunc)
      throws SQLException {
    withToken(driverProtocol, hostSpec, props);
    return connectFunc.call();
  }

  @Override
  public Connection forceConnect(
      String driverProtocol,
      HostSpec hostSpec,
      Properties props,
      boolean isInitialConnection,
      JdbcCallable<Connection, SQLException> forceConnectFunc)
      throws SQLException {
    withToken(driverProtocol, hostSpec, props);
    return forceConnectFunc.call();
  }

  private void withToken(String driverProtocol, HostSpec hostSpec, Properties props)
      throws SQLException {
    try {
      PropertySettings iam = PropertySettings.read(Lookup.of(null, props));
      iam.refuseFallback("the aws-advanced-jdbc-wrapper plugin");
      int port =
          hostSpec.isPortSpecified()
              ? hostSpec.getPort()
              : pluginService.getDialect().getDefaultPort();
      ConnectionPlan plan =
          ConnectionPlan.forEndpoint(
              engineOf(driverProtocol),
              hostSpec.getHost(),
              port,
              props,
              iam.plan(),
              ConnectionPlan.Tls.COMPLETE,
              "url");
      plan.added().forEach(props::setProperty);
      AuthToken token = DriverLeases.token(plan, iam);
      props.setProperty(PropertyDefinition.PASSWORD.name, token.value());
    } catch (IamAuthException e) {
      throw SqlErrors.of(e);
    }
  }

  private static Engine engineOf(String driverProtocol) {
    String p = driverProtocol.toLowerCase(Locale.ROOT);
    if (p.startsWith("jdbc:postgresql:")) {
      return Engine.POSTGRESQL;
    }
    if (p.startsWith("jdbc:mysql:")) {
      return Engine.MYSQL;
    }
    if (p.startsWith("jdbc:mariadb:")) {
      return Engine.MARIADB;
    }
    throw new IamConfigurationException(
        "url: the wrapper's target driver "
            + Texts.quoteIfSafe(driverProtocol)
            + " is not supported (expected jdbc:aws-wrapper:postgresql:, :mysql: or :mariadb:)");
  }
}
