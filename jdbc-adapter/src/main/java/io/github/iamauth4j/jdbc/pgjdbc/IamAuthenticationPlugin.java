package io.github.iamauth4j.jdbc.pgjdbc;

import io.github.iamauth4j.core.IamAuthException;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.InsecureConnectionException;
import io.github.iamauth4j.core.internal.Texts;
import io.github.iamauth4j.jdbc.IamJdbcConfig;
import io.github.iamauth4j.jdbc.internal.ConnectionPlan;
import io.github.iamauth4j.jdbc.internal.DriverLeases;
import io.github.iamauth4j.jdbc.internal.Engine;
import io.github.iamauth4j.jdbc.internal.Lookup;
import io.github.iamauth4j.jdbc.internal.PropertySettings;
import io.github.iamauth4j.jdbc.internal.SqlErrors;
import java.util.Objects;
import java.util.Properties;
import org.postgresql.plugin.AuthenticationPlugin;
import org.postgresql.plugin.AuthenticationRequestType;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * pgjdbc's authentication plugin answering the server's password request with a current IAM token.
 *
 * <pre>{@code
 * jdbc:postgresql://db1.abc123.eu-west-1.rds.amazonaws.com:5432/app?user=app&sslmode=verify-full
 *     &sslrootcert=/etc/ssl/rds/global-bundle.pem
 *     &authenticationPluginClassName=io.github.iamauth4j.jdbc.pgjdbc.IamAuthenticationPlugin
 * }</pre>
 *
 * <p>pgjdbc makes a new instance for every authentication, with the connection's properties, and
 * zeroes the returned characters; the tokens therefore come from a provider shared per (host, port,
 * user, region, credentials, token life), so connections reuse the current token. The iamauth4j
 * settings ({@value IamJdbcConfig#REGION}, {@value IamJdbcConfig#PROFILE}, … see {@link
 * IamJdbcConfig}) are read from the same properties or URL. A host of the form {@code
 * <id>.dsql.<region>.on.aws} is Aurora DSQL.
 *
 * <p>The plugin runs after the connection is made, so it cannot turn TLS on: it refuses to answer
 * unless {@code sslmode} is {@code require}, {@code verify-ca} or {@code verify-full} (or {@code
 * ssl=true}), and the token is not sent ({@link InsecureConnectionException} as the cause of the
 * {@link PSQLException}). Only a cleartext password request is answered, as RDS and DSQL make.
 * Connect to one host per URL: pgjdbc does not tell the plugin which of several hosts it reached.
 */
public final class IamAuthenticationPlugin implements AuthenticationPlugin {
  private final Properties info;

  /**
   * Made by pgjdbc with the connection's properties.
   *
   * @param info the connection properties (URL parameters included)
   */
  public IamAuthenticationPlugin(Properties info) {
    this.info = Objects.requireNonNull(info, "info");
  }

  @Override
  public char[] getPassword(AuthenticationRequestType type) throws PSQLException {
    if (type != AuthenticationRequestType.CLEARTEXT_PASSWORD) {
      throw new PSQLException(
          "the server asked for "
              + type
              + " authentication, but an IAM token is accepted only as a cleartext password;"
              + " is this an IAM-enabled RDS/Aurora endpoint, and is the user granted rds_iam?",
          PSQLState.INVALID_AUTHORIZATION_SPECIFICATION);
    }
    // Read by name rather than through PGProperty, whose accessors changed across pgjdbc versions.
    String host = info.getProperty("PGHOST");
    String portText = info.getProperty("PGPORT");
    String user = info.getProperty("user");
    try {
      if (host == null || host.isEmpty() || host.contains(",")) {
        throw new IamConfigurationException(
            "url: "
                + (host == null || host.isEmpty() ? "names no host" : "names several hosts")
                + "; the token is signed for one host and pgjdbc does not tell the plugin which it"
                + " reached (use one host per URL)");
      }
      int port = -1;
      if (portText != null && !portText.isEmpty() && !portText.contains(",")) {
        try {
          port = Integer.parseInt(portText.trim());
        } catch (NumberFormatException e) {
          throw new IamConfigurationException("url: the port is not a number");
        }
      }
      PropertySettings iam = PropertySettings.read(Lookup.of(null, info));
      iam.refuseFallback("the pgjdbc authentication plugin");
      ConnectionPlan plan =
          ConnectionPlan.forEndpoint(
              Engine.POSTGRESQL,
              host,
              port,
              info,
              iam.plan(),
              ConnectionPlan.Tls.CHECK_ONLY,
              "url");
      return DriverLeases.token(plan, iam).valueChars();
    } catch (IamAuthException e) {
      // A configuration problem is an authorization problem (28000), not worth retrying; no token
      // now (the credential source is down) is a connection failure (08001), worth retrying.
      throw new PSQLException(
          SqlErrors.message(e),
          e instanceof IamConfigurationException
              ? PSQLState.INVALID_AUTHORIZATION_SPECIFICATION
              : PSQLState.CONNECTION_UNABLE_TO_CONNECT,
          e);
    }
  }

  @Override
  public String toString() {
    return "IamAuthenticationPlugin["
        + Texts.printable(String.valueOf(info.getProperty("PGHOST")))
        + "]";
  }
}
