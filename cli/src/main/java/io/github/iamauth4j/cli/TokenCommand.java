package io.github.iamauth4j.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code iamauth4j token SERVICE …}: groups one subcommand per service. */
@Command(
    name = "token",
    versionProvider = VersionProvider.class,
    synopsisSubcommandLabel = "SERVICE",
    description = {
      "Print a fresh IAM auth token, and only the token, on stdout.",
      "Use it as the password of a client: --pass \"$(iamauth4j token ...)\". A token "
          + "lets a client open connections for 15 minutes (Aurora DSQL: --expiry); open "
          + "connections stay up."
    },
    subcommands = {
      ElastiCacheTokenCommand.class,
      MemoryDbTokenCommand.class,
      RdsTokenCommand.class,
      DsqlTokenCommand.class
    },
    commandListHeading = "%nServices:%n",
    footerHeading = "%nExamples:%n",
    footer = {
      "  iamauth4j token elasticache --cache orders --user app --region us-east-1",
      "  iamauth4j token elasticache --cache sessions --user app --serverless \\",
      "    --endpoint sessions-abc123.serverless.use1.cache.amazonaws.com",
      "  iamauth4j token memorydb --cluster carts --user app --region eu-west-1",
      "  iamauth4j token rds --host db1.abc123.eu-west-1.rds.amazonaws.com \\",
      "    --port 5432 --user app",
      "  iamauth4j token dsql --host abc123.dsql.us-east-1.on.aws --admin"
    })
final class TokenCommand implements Callable<Integer> {
  @Mixin HelpOptions helpOptions;

  @Spec CommandSpec spec;

  /** No service given: show the services, as a usage error. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ErrorHandlers.USAGE;
  }
}
