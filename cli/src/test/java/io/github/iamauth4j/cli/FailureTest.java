package io.github.iamauth4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit codes 1 and 2, each with exactly one line on stderr and nothing on stdout. */
class FailureTest {
  private static final String NL = System.lineSeparator();

  private final Cli cli = new Cli();

  @BeforeEach
  void isolate() {
    cli.isolate();
  }

  @AfterEach
  void restore() {
    cli.restore();
  }

  /** The one stderr line, after checking there is exactly one and nothing on stdout. */
  private static String oneLine(Cli.Result r, int exitCode) {
    assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(exitCode);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).endsWith(NL);
    String line = r.err().substring(0, r.err().length() - NL.length());
    assertThat(line).isNotBlank().doesNotContain("\n", "\r", "\tat ", "Exception");
    return line;
  }

  @Test
  void missingOptionIsAUsageError() {
    Cli.Result r = Cli.run("token", "elasticache", "--cache", "orders", "--region", "us-east-1");

    assertThat(oneLine(r, 2))
        .isEqualTo(
            "iamauth4j token elasticache: Missing required option: '--user=ID'"
                + " (see 'iamauth4j token elasticache --help')");
  }

  @Test
  void optionValueOfTheWrongTypeIsAUsageError() {
    Cli.Result r = Cli.run("token", "rds", "--host", "db", "--port", "five", "--user", "app");

    assertThat(oneLine(r, 2))
        .contains("'--port'")
        .contains("'five' is not an int")
        .endsWith("(see 'iamauth4j token rds --help')");
  }

  @Test
  void malformedInstantIsAUsageError() {
    Cli.Result r =
        Cli.run("token", "elasticache", "--cache", "a", "--user", "b", "--at", "yesterday");

    assertThat(oneLine(r, 2))
        .contains("'--at'")
        .contains("\"yesterday\" is not an ISO-8601 instant (expected e.g. 2025-01-01T00:00:00Z)");
  }

  @Test
  void dsqlNeedsExactlyOneOfAdminAndRole() {
    Cli.Result none = Cli.run("token", "dsql", "--host", "abc.dsql.us-east-1.on.aws");
    Cli.Result both =
        Cli.run("token", "dsql", "--host", "abc.dsql.us-east-1.on.aws", "--admin", "--role", "x");

    assertThat(oneLine(none, 2))
        .startsWith("iamauth4j token dsql: Missing required argument")
        .contains("(--admin | --role=ROLE)");
    assertThat(oneLine(both, 2)).contains("--admin, --role=ROLE are mutually exclusive");
  }

  @Test
  void unknownCommandSuggestsTheRightOne() {
    Cli.Result r = Cli.run("inspec", "x");

    assertThat(oneLine(r, 2)).contains("'inspec'").contains("did you mean: inspect?");
  }

  @Test
  void aTokenPastedInTheWrongPlaceIsNotEchoed() {
    String token = "my-cache/?Action=connect&X-Amz-Signature=" + "ab".repeat(32);

    Cli.Result r = Cli.run("token", "elasticache", token);

    assertThat(oneLine(r, 2)).doesNotContain("X-Amz-").doesNotContain("abab");
  }

  @Test
  void invalidCacheNameIsTheCoreMessageNamingTheOption() {
    Cli.Result r =
        Cli.run(
            "token",
            "elasticache",
            "--cache",
            "my_cache",
            "--user",
            "app",
            "--region",
            "us-east-1");

    assertThat(oneLine(r, 2))
        .startsWith(
            "iamauth4j: --cache: \"my_cache\" is not a valid name (expected 1 to 40 letters,"
                + " digits and single hyphens, starting with a letter");
  }

  @Test
  void invalidRegionIsAUsageError() {
    Cli.exampleCredentials();

    Cli.Result r =
        Cli.run(
            "token", "elasticache", "--cache", "orders", "--user", "app", "--region", "us-east");

    assertThat(oneLine(r, 2))
        .isEqualTo(
            "iamauth4j: --region: \"us-east\" is not an AWS region (expected e.g. \"us-east-1\")");
  }

  @Test
  void outOfRangeValueIsAUsageErrorNamingTheOption() {
    Cli.exampleCredentials();

    Cli.Result port =
        Cli.run(
            "token",
            "rds",
            "--host",
            "db",
            "--port",
            "70000",
            "--user",
            "a",
            "--region",
            "us-east-1");
    Cli.Result expiry =
        Cli.run(
            "token", "dsql", "--host", "abc.dsql.us-east-1.on.aws", "--admin", "--expiry", "8d");

    assertThat(oneLine(port, 2))
        .isEqualTo("iamauth4j: --port: 70000 is not a TCP port (expected 1 to 65535)");
    assertThat(oneLine(expiry, 2)).startsWith("iamauth4j: --expiry: ").contains("out of range");
  }

  @Test
  void noRegionAnywhereIsAUsageErrorSayingWhereItLooked() {
    Cli.exampleCredentials();

    Cli.Result r = Cli.run("token", "memorydb", "--cluster", "carts", "--user", "app");

    assertThat(oneLine(r, 2))
        .startsWith("iamauth4j: --region: could not be determined for MemoryDB cluster \"carts\"")
        .contains("--region (not given), --endpoint (not given), the AWS SDK region chain")
        .endsWith("e.g. --region us-east-1");
  }

  @Test
  void noCredentialsSaysWhichSourcesTheDefaultChainTried() {
    Cli.Result r =
        Cli.run(
            "token", "elasticache", "--cache", "orders", "--user", "app", "--region", "us-east-1");

    assertThat(oneLine(r, 1))
        .isEqualTo(
            "iamauth4j: could not sign a token for ElastiCache cache \"orders\" (user \"app\"):"
                + " no AWS credentials found; tried system property aws.accessKeyId, variable"
                + " AWS_ACCESS_KEY_ID, web identity token file, profile \"default\", container"
                + " credentials, instance metadata (disabled) (--verbose shows the AWS SDK's full"
                + " answer)");
  }

  @Test
  void aProfileSourceThatFailsGivesItsReason(@TempDir Path dir) throws IOException {
    Path config =
        Files.writeString(
            dir.resolve("config"), "[default]\ncredential_process = /nonexistent/iamauth4j-x\n");
    System.setProperty("aws.configFile", config.toString());

    Cli.Result r =
        Cli.run(
            "token", "elasticache", "--cache", "orders", "--user", "app", "--region", "us-east-1");

    assertThat(oneLine(r, 1))
        .contains("no AWS credentials found")
        .containsPattern("profile \"default\" \\([^)]+\\)");
  }

  @Test
  void unknownProfileIsAFailure() {
    Cli.Result r =
        Cli.run(
            "token",
            "elasticache",
            "--cache",
            "orders",
            "--user",
            "app",
            "--region",
            "us-east-1",
            "--profile",
            "nope");

    assertThat(oneLine(r, 1))
        .startsWith("iamauth4j: could not sign a token for ElastiCache cache \"orders\"")
        .contains("'nope'");
  }

  @Test
  void verbosePrintsTheStackTraceAfterTheLine() {
    Cli.Result before =
        Cli.run(
            "--verbose",
            "token",
            "elasticache",
            "--cache",
            "orders",
            "--user",
            "app",
            "--region",
            "us-east-1");
    Cli.Result after =
        Cli.run(
            "token",
            "elasticache",
            "--cache",
            "orders",
            "--user",
            "app",
            "--region",
            "us-east-1",
            "--verbose");

    for (Cli.Result r : new Cli.Result[] {before, after}) {
      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.err().lines().findFirst())
          .hasValueSatisfying(l -> assertThat(l).contains("no AWS credentials found"));
      assertThat(r.err())
          .contains("io.github.iamauth4j.core.TokenUnavailableException")
          .contains("Unable to load credentials from any of the providers in the chain")
          .contains("\tat ");
    }
  }

  @Test
  void malformedTokenIsAFailure() {
    Cli.Result r = Cli.run("inspect", "not-a-token");

    assertThat(oneLine(r, 1))
        .isEqualTo(
            "iamauth4j: not an IAM auth token: expected <host>/?<query>"
                + " (e.g. my-cache/?Action=connect&...)");
  }

  @Test
  void tokenWithoutSignatureIsAFailureThatDoesNotRepeatIt() {
    Cli.Result r =
        Cli.runWithStdin(
            "my-cache/?Action=connect&User=app&X-Amz-Algorithm=AWS4-HMAC-SHA256\n", "inspect", "-");

    assertThat(oneLine(r, 1))
        .startsWith("iamauth4j: not an IAM auth token: missing ")
        .contains("X-Amz-Signature")
        .doesNotContain("my-cache");
  }

  @Test
  void emptyStdinIsAFailure() {
    Cli.Result r = Cli.runWithStdin("\n", "inspect", "-");

    assertThat(oneLine(r, 1))
        .isEqualTo("iamauth4j: standard input: no token (expected one line: <host>/?<query>)");
  }
}
