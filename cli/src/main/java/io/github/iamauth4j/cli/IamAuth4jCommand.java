package io.github.iamauth4j.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The top-level {@code iamauth4j} command. Every subcommand is registered here, in {@code
 * subcommands}: a new one is a class annotated with {@code @Command} added to that list. It reaches
 * the {@link CliContext} through {@link #context(CommandSpec)}.
 */
@Command(
    name = "iamauth4j",
    versionProvider = VersionProvider.class,
    subcommands = {TokenCommand.class, InspectCommand.class, EmulateCommand.class},
    sortOptions = false,
    synopsisSubcommandLabel = "COMMAND",
    description = {
      "Mint and inspect AWS IAM auth tokens: the short-lived passwords of ElastiCache, "
          + "MemoryDB, RDS, Aurora and Aurora DSQL; emulate AWS's side locally to test them.",
      "Credentials come from the AWS SDK's default chain (AWS_ACCESS_KEY_ID and "
          + "AWS_SECRET_ACCESS_KEY, the default profile, SSO, web identity, container or "
          + "instance role) or from --profile NAME."
    },
    commandListHeading = "%nCommands:%n",
    footerHeading = "%nExamples:%n",
    footer = {
      "  # Valkey or Redis OSS on ElastiCache:",
      "  redis-cli --tls -h master.orders.abc123.use1.cache.amazonaws.com --user app \\",
      "    --pass \"$(iamauth4j token elasticache --cache orders --user app \\",
      "                --region us-east-1)\"",
      "",
      "  # PostgreSQL on RDS or Aurora (the region comes from the host name):",
      "  H=db1.abc123.eu-west-1.rds.amazonaws.com",
      "  PGPASSWORD=\"$(iamauth4j token rds --host $H --port 5432 --user app)\" \\",
      "    psql \"host=$H user=app dbname=app sslmode=verify-full sslrootcert=global-bundle.pem\"",
      "",
      "  # What is in a token? (- reads it from stdin, so it stays out of ps)",
      "  iamauth4j inspect - < token.txt",
      "",
      "Run 'iamauth4j COMMAND --help' for the options of a command. 'iamauth4j' is",
      "'java -jar iamauth4j.jar': alias iamauth4j='java -jar /path/to/iamauth4j.jar'",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:failure, e.g. no AWS credentials, a malformed token (one line on stderr)",
      "2:usage error: a missing or unknown option, or a value AWS does not accept"
    })
final class IamAuth4jCommand implements Callable<Integer> {
  @Mixin HelpOptions helpOptions;

  private final CliContext context;

  @Spec CommandSpec spec;

  @Option(
      order = 92,
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "On failure, also print the stack trace.")
  boolean verbose;

  IamAuth4jCommand(CliContext context) {
    this.context = context;
  }

  /** The context of the command line that {@code spec} belongs to. */
  static CliContext context(CommandSpec spec) {
    return ((IamAuth4jCommand) spec.root().userObject()).context;
  }

  /** No command given: show what there is, as a usage error. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ErrorHandlers.USAGE;
  }
}
