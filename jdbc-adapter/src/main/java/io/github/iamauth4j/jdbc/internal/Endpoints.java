package io.github.iamauth4j.jdbc.internal;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Turns what a connection goes to (engine, host, port, user) into the IAM target to sign for. */
public final class Endpoints {
  private static final Pattern DSQL_HOST =
      Pattern.compile("[a-z0-9]+\\.dsql[a-z0-9-]*\\.[a-z0-9-]+\\.on\\.aws\\.?");

  private Endpoints() {}

  /**
   * Whether {@code host} is an Aurora DSQL cluster endpoint ({@code <id>.dsql.<region>.on.aws}).
   *
   * @param host a host name
   */
  public static boolean isDsqlHost(String host) {
    return DSQL_HOST.matcher(host.toLowerCase(Locale.ROOT)).matches();
  }

  /**
   * The engine for a real driver's scheme and host: a pgjdbc URL to a DSQL endpoint is DSQL.
   *
   * @param driverEngine the engine named by the driver URL
   * @param host the host connected to
   */
  public static Engine refine(Engine driverEngine, String host) {
    return driverEngine == Engine.POSTGRESQL && isDsqlHost(host) ? Engine.DSQL : driverEngine;
  }

  /**
   * The target tokens must be signed for.
   *
   * @param engine the engine (DSQL signs a host without port)
   * @param host the host to sign for
   * @param port the port to sign for
   * @param user the database user (role); null or empty is an error
   * @param userSetting how the user is set, for the error message
   * @throws IamConfigurationException naming the setting: no user, an invalid host or user
   */
  public static IamTarget target(
      Engine engine, String host, int port, @Nullable String user, String userSetting) {
    if (user == null || user.isEmpty()) {
      throw new IamConfigurationException(
          "user: is required: the token is signed for one database user (set " + userSetting + ")");
    }
    return switch (engine) {
      case DSQL -> IamTarget.dsql(host, user);
      case POSTGRESQL, MYSQL, MARIADB -> IamTarget.rds(host, port, user);
    };
  }
}
