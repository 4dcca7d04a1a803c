package io.github.iamauth4j.cli;

import io.github.iamauth4j.core.IamTarget;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code iamauth4j token rds}: a token for an RDS, Aurora or RDS Proxy endpoint. */
@Command(
    name = "rds",
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
      "A token for an RDS or Aurora endpoint, or an RDS Proxy.",
      "The password of a database user granted rds_iam (PostgreSQL) or identified with "
          + "AWSAuthenticationPlugin (MySQL, MariaDB), sent over TLS.",
      "Give the host and port the client connects to: instance, cluster, reader, custom "
          + "or proxy endpoint. The region is read from the host name."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  H=db1.abc123.eu-west-1.rds.amazonaws.com",
      "  PGPASSWORD=\"$(iamauth4j token rds --host $H --port 5432 --user app)\" \\",
      "    psql \"host=$H user=app dbname=app sslmode=verify-full sslrootcert=global-bundle.pem\"",
      "  H=db2.abc123.eu-west-1.rds.amazonaws.com",
      "  mysql -h $H -u app --enable-cleartext-plugin --ssl-mode=REQUIRED \\",
      "    --password=\"$(iamauth4j token rds --host $H --port 3306 --user app)\""
    })
final class RdsTokenCommand extends TokenSubcommand {
  @Mixin HelpOptions helpOptions;

  @Option(
      order = 1,
      names = "--host",
      required = true,
      paramLabel = "HOST",
      description = "The endpoint host name, e.g. db1.abc123.eu-west-1.rds.amazonaws.com.")
  String host;

  @Option(
      order = 2,
      names = "--port",
      required = true,
      paramLabel = "PORT",
      description = "The endpoint port, e.g. 5432 (PostgreSQL) or 3306 (MySQL); it is signed.")
  int port;

  @Option(
      order = 3,
      names = "--user",
      required = true,
      paramLabel = "DBUSER",
      description = "The database user, e.g. app.")
  String user;

  @Override
  IamTarget target() {
    return IamTarget.rds(host, port, user);
  }

  @Override
  Map<String, String> optionNames() {
    return Map.of("host", "--host", "port", "--port", "dbUser", "--user");
  }
}
