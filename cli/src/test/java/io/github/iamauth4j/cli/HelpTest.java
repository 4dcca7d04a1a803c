package io.github.iamauth4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HelpTest {

  @Test
  void helpExplainsTheCommandsWithExamplesAndExitCodes() {
    Cli.Result r = Cli.run("--help");

    assertThat(r.exitCode()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out())
        .startsWith("Usage: iamauth4j ")
        .contains("token ", "inspect ", "emulate ")
        .contains("redis-cli --tls", "psql ", "iamauth4j inspect - < token.txt")
        .contains("Exit codes:", "0   success", "2   usage error");
  }

  @Test
  void everyCommandHasHelpWithAnExample() {
    String[][] commands = {
      {"token"},
      {"token", "elasticache"},
      {"token", "memorydb"},
      {"token", "rds"},
      {"token", "dsql"},
      {"inspect"},
      {"emulate"},
      {"emulate", "elasticache"},
      {"emulate", "memorydb"},
      {"emulate", "rds-postgres"},
      {"emulate", "rds-mysql"},
      {"emulate", "dsql"}
    };
    for (String[] command : commands) {
      String[] args = java.util.Arrays.copyOf(command, command.length + 1);
      args[command.length] = "--help";

      Cli.Result r = Cli.run(args);

      assertThat(r.exitCode()).as(String.join(" ", args)).isZero();
      assertThat(r.out())
          .startsWith("Usage: iamauth4j " + String.join(" ", command))
          .containsPattern("Examples?:")
          .contains("--verbose");
      // Nothing wider than a standard terminal.
      assertThat(r.out().lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80));
    }
  }

  @Test
  void emulateTellsWhereThePasswordUsersPasswordComesFromAndWhenCountersArePrinted() {
    Cli.Result cache = Cli.run("emulate", "elasticache", "--help");
    Cli.Result emulate = Cli.run("emulate", "--help");

    assertThat(cache.out())
        .contains("--iam-user", "--password-user", "--auth-rate-limit")
        .contains(EmulateCommand.USER_PASSWORD_ENV);
    assertThat(emulate.out()).contains("kill -USR2 PID", "IamAuthenticationThrottling");
  }

  @Test
  void versionIsTheProjectVersion() {
    Cli.Result r = Cli.run("--version");

    assertThat(r.exitCode()).isZero();
    assertThat(r.out().lines().findFirst())
        .hasValueSatisfying(l -> assertThat(l).matches("iamauth4j \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"));
    assertThat(r.out()).contains("AWS SDK for Java 2.", "picocli 4.", "Java ");
  }

  @Test
  void noCommandShowsTheUsageOnStderrAsAUsageError() {
    Cli.Result top = Cli.run();
    Cli.Result token = Cli.run("token");

    assertThat(top.exitCode()).isEqualTo(2);
    assertThat(top.out()).isEmpty();
    assertThat(top.err()).startsWith("Usage: iamauth4j ");
    assertThat(token.exitCode()).isEqualTo(2);
    assertThat(token.err()).startsWith("Usage: iamauth4j token ").contains("elasticache");
  }
}
