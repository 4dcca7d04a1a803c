package io.github.iamauth4j.cli;

import io.github.iamauth4j.core.IamTarget;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code iamauth4j token dsql}: a token for an Aurora DSQL cluster. */
@Command(
    name = "dsql",
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
      "A token for an Aurora DSQL cluster.",
      "The password of a PostgreSQL role. The admin role is signed with DbConnectAdmin, "
          + "every other role with DbConnect (the role name itself is not signed): choose "
          + "--admin, or --role ROLE."
    },
    footerHeading = "%nExample:%n",
    footer = {
      "  H=abc123.dsql.us-east-1.on.aws",
      "  PGPASSWORD=\"$(iamauth4j token dsql --host $H --admin)\" \\",
      "    psql \"host=$H user=admin dbname=postgres sslmode=verify-full sslrootcert=system\"",
      "  iamauth4j token dsql --host $H --role app --expiry 1h"
    })
final class DsqlTokenCommand extends TokenSubcommand {
  @Mixin HelpOptions helpOptions;

  @Option(
      order = 1,
      names = "--host",
      required = true,
      paramLabel = "HOST",
      description = "The cluster endpoint, without port, e.g. abc123.dsql.us-east-1.on.aws.")
  String host;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Role role;

  @Option(
      order = 2,
      names = "--expiry",
      paramLabel = "DURATION",
      converter = Conversions.DurationConverter.class,
      description =
          "How long the token is valid: 1s to 7d, e.g. 15m, 1h, 3600s or PT1H. Default: 15m.")
  @Nullable Duration expiry;

  /** Exactly one of {@code --admin} and {@code --role}. */
  static final class Role {
    @Option(
        order = 3,
        names = "--admin",
        required = true,
        description = "Connect as the admin role.")
    boolean admin;

    @Option(
        order = 4,
        names = "--role",
        required = true,
        paramLabel = "ROLE",
        description = "Connect as this PostgreSQL role, e.g. app (--role admin is --admin).")
    @Nullable String name;
  }

  @Override
  IamTarget target() {
    String name = role.name;
    return role.admin || name == null ? IamTarget.dsqlAdmin(host) : IamTarget.dsql(host, name);
  }

  @Override
  Map<String, String> optionNames() {
    return Map.of("host", "--host", "role", "--role", "expiry", "--expiry");
  }

  @Override
  @Nullable Duration expiry() {
    return expiry;
  }
}
