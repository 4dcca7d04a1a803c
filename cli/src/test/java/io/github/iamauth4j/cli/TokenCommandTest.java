package io.github.iamauth4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.iamauth4j.core.ParsedToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

class TokenCommandTest {
  private final Cli cli = new Cli();

  @BeforeEach
  void credentials() {
    cli.isolate();
    Cli.exampleCredentials();
  }

  @AfterEach
  void restore() {
    cli.restore();
  }

  private static ParsedToken verified(Cli.Result r) {
    assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).endsWith("\n");
    assertThat(r.out().strip()).doesNotContain("\n", "\r", " ");
    ParsedToken t = ParsedToken.parse(r.token());
    assertThat(t.signatureMatches(Cli.SECRET)).isTrue();
    assertThat(t.signatureMatches("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEX")).isFalse();
    assertThat(t.accessKeyId()).isEqualTo(Cli.AKID);
    return t;
  }

  @Test
  void anArgumentTheJvmCouldNotDecodeIsAUsageErrorThatSaysHowToFixIt() {
    Cli.Result r =
        Cli.run(
            "token",
            "rds",
            "--host",
            "db1.abc.eu-west-1.rds.amazonaws.com",
            "--port",
            "5432",
            "--user",
            "\uFFFDn\uFFFD");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .contains("argument 8 could not be decoded")
        .contains("LC_ALL=C.UTF-8")
        .hasLineCount(1);
  }

  @Test
  void serverlessElastiCacheTokenAtAGivenInstantIsAwsKnownAnswer() {
    Cli.Result r =
        Cli.run(
            "token",
            "elasticache",
            "--cache",
            "my-cache",
            "--user",
            "testuser",
            "--serverless",
            "--region",
            "us-east-1",
            "--at",
            "2025-01-01T00:00:00Z");

    verified(r);
    assertThat(r.out())
        .isEqualTo(
            "my-cache/?Action=connect&ResourceType=ServerlessCache&User=testuser"
                + "&X-Amz-Algorithm=AWS4-HMAC-SHA256"
                + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20250101%2Fus-east-1%2Felasticache"
                + "%2Faws4_request&X-Amz-Date=20250101T000000Z&X-Amz-Expires=900"
                + "&X-Amz-SignedHeaders=host&X-Amz-Signature="
                + "28f349fd92f74e0192de149a74743ae7d087bb136523c342bdd67632a8360023\n");
  }

  @Test
  void elastiCacheReplicationGroupTokenIsSignedNowForTheLowercasedNameWithoutResourceType() {
    ParsedToken t =
        verified(
            Cli.run(
                "token",
                "elasticache",
                "--cache",
                "Orders",
                "--user",
                "App",
                "--region",
                "eu-west-1"));

    assertThat(t.service()).isEqualTo("elasticache");
    assertThat(t.host()).isEqualTo("orders");
    assertThat(t.user()).contains("app");
    assertThat(t.region()).isEqualTo("eu-west-1");
    assertThat(t.action()).isEqualTo("connect");
    assertThat(t.resourceType()).isEmpty();
    assertThat(t.signedAt()).isEqualTo(Cli.NOW);
    assertThat(t.expiry()).isEqualTo(Duration.ofMinutes(15));
    assertThat(t.hasSessionToken()).isFalse();
  }

  @Test
  void elastiCacheRegionComesFromTheEndpointHostName() {
    ParsedToken t =
        verified(
            Cli.run(
                "token",
                "elasticache",
                "--cache",
                "orders",
                "--user",
                "app",
                "--endpoint",
                "master.orders.abc123.apse2.cache.amazonaws.com"));

    assertThat(t.region()).isEqualTo("ap-southeast-2");
  }

  @Test
  void regionComesFromTheSdkRegionChainWhenNothingElseNamesOne() {
    System.setProperty("aws.region", "ca-central-1");

    ParsedToken t = verified(Cli.run("token", "memorydb", "--cluster", "carts", "--user", "app"));

    assertThat(t.region()).isEqualTo("ca-central-1");
  }

  @Test
  void memoryDbTokenSignsClusterAndUserAsGiven() {
    ParsedToken t =
        verified(
            Cli.run(
                "token",
                "memorydb",
                "--cluster",
                "Carts",
                "--user",
                "App",
                "--region",
                "us-west-2"));

    assertThat(t.service()).isEqualTo("memorydb");
    assertThat(t.host()).isEqualTo("Carts");
    assertThat(t.user()).contains("App");
    assertThat(t.region()).isEqualTo("us-west-2");
    assertThat(t.resourceType()).isEmpty();
  }

  @Test
  void rdsTokenSignsHostAndPortWithTheRegionFromTheHostName() {
    ParsedToken t =
        verified(
            Cli.run(
                "token",
                "rds",
                "--host",
                "db1.abc123.eu-central-1.rds.amazonaws.com",
                "--port",
                "5432",
                "--user",
                "app_user"));

    assertThat(t.service()).isEqualTo("rds-db");
    assertThat(t.host()).isEqualTo("db1.abc123.eu-central-1.rds.amazonaws.com:5432");
    assertThat(t.user()).contains("app_user");
    assertThat(t.region()).isEqualTo("eu-central-1");
    assertThat(t.action()).isEqualTo("connect");
  }

  @Test
  void explicitRegionWinsOverTheHostName() {
    ParsedToken t =
        verified(
            Cli.run(
                "token",
                "rds",
                "--host",
                "db1.abc123.eu-central-1.rds.amazonaws.com",
                "--port",
                "3306",
                "--user",
                "app",
                "--region",
                "us-east-2"));

    assertThat(t.region()).isEqualTo("us-east-2");
  }

  @Test
  void dsqlAdminTokenUsesDbConnectAdminAndTheDefaultExpiry() {
    ParsedToken t =
        verified(Cli.run("token", "dsql", "--host", "abc123.dsql.us-east-1.on.aws", "--admin"));

    assertThat(t.service()).isEqualTo("dsql");
    assertThat(t.host()).isEqualTo("abc123.dsql.us-east-1.on.aws");
    assertThat(t.region()).isEqualTo("us-east-1");
    assertThat(t.action()).isEqualTo("DbConnectAdmin");
    assertThat(t.user()).isEmpty();
    assertThat(t.expiry()).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void dsqlRoleTokenUsesDbConnectAndTheGivenExpiry() {
    ParsedToken t =
        verified(
            Cli.run(
                "token",
                "dsql",
                "--host",
                "abc123.dsql.eu-west-1.on.aws",
                "--role",
                "app",
                "--expiry",
                "1h30m"));

    assertThat(t.action()).isEqualTo("DbConnect");
    assertThat(t.region()).isEqualTo("eu-west-1");
    assertThat(t.expiry()).isEqualTo(Duration.ofMinutes(90));
  }

  @Test
  void dsqlRoleNamedAdminIsTheAdminRole() {
    ParsedToken t =
        verified(
            Cli.run(
                "token",
                "dsql",
                "--host",
                "abc123.dsql.eu-west-1.on.aws",
                "--role",
                "admin",
                "--expiry",
                "PT2H"));

    assertThat(t.action()).isEqualTo("DbConnectAdmin");
    assertThat(t.expiry()).isEqualTo(Duration.ofHours(2));
  }

  @Test
  void atReproducesAnEarlierTokenByteForByte() {
    Instant at = Instant.parse("2026-02-27T08:30:15Z");
    String[] args = {
      "token",
      "rds",
      "--host",
      "db1.abc123.eu-west-1.rds.amazonaws.com",
      "--port",
      "5432",
      "--user",
      "app",
      "--at",
      at.toString()
    };

    Cli.Result first = Cli.run(args);
    Cli.Result again = Cli.run(args);

    assertThat(verified(first).signedAt()).isEqualTo(at);
    assertThat(again.out()).isEqualTo(first.out());
  }

  @Test
  void sessionCredentialsSignTheSessionToken() {
    System.setProperty("aws.sessionToken", "FwoGZXIvYXdzEXAMPLESESSION/TOKEN==");

    ParsedToken t =
        verified(
            Cli.run(
                "token",
                "elasticache",
                "--cache",
                "orders",
                "--user",
                "app",
                "--region",
                "us-east-1"));

    assertThat(t.hasSessionToken()).isTrue();
    assertThat(t.sessionToken()).contains("FwoGZXIvYXdzEXAMPLESESSION/TOKEN==");
  }

  @Test
  void credentialsThatExpireBeforeTheTokenAreNotedOnStderrOnly() {
    Instant credentialsExpire = Cli.NOW.plus(Duration.ofMinutes(5));
    CliContext context =
        Cli.context()
            .withCredentials(
                profile ->
                    StaticCredentialsProvider.create(
                        AwsSessionCredentials.builder()
                            .accessKeyId(Cli.AKID)
                            .secretAccessKey(Cli.SECRET)
                            .sessionToken("session")
                            .expirationTime(credentialsExpire)
                            .build()));

    Cli.Result r =
        Cli.run(
            context,
            "token",
            "memorydb",
            "--cluster",
            "carts",
            "--user",
            "app",
            "--region",
            "us-east-1");

    assertThat(r.exitCode()).isZero();
    assertThat(ParsedToken.parse(r.token()).signatureMatches(Cli.SECRET)).isTrue();
    assertThat(r.err())
        .isEqualTo(
            "iamauth4j: note: the token is usable only until 2026-03-01T12:05:00Z, when the"
                + " session credentials that signed it expire"
                + System.lineSeparator());
  }

  @Test
  void profileGivesCredentialsAndRegion(@TempDir Path dir) throws IOException {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    Path config = Files.writeString(dir.resolve("config"), "[profile ci]\nregion = sa-east-1\n");
    Path credentials =
        Files.writeString(
            dir.resolve("credentials"),
            "[ci]\naws_access_key_id = AKIDPROFILEEXAMPLE\n"
                + "aws_secret_access_key = profileSecretKeyEXAMPLE\n");
    System.setProperty("aws.configFile", config.toString());
    System.setProperty("aws.sharedCredentialsFile", credentials.toString());

    Cli.Result r =
        Cli.run("token", "elasticache", "--cache", "orders", "--user", "app", "--profile", "ci");

    assertThat(r.exitCode()).as(r.err()).isZero();
    ParsedToken t = ParsedToken.parse(r.token());
    assertThat(t.accessKeyId()).isEqualTo("AKIDPROFILEEXAMPLE");
    assertThat(t.signatureMatches("profileSecretKeyEXAMPLE")).isTrue();
    assertThat(t.region()).isEqualTo("sa-east-1");
  }

  @Test
  void profileRegionDoesNotOverrideTheRegionInTheHostName(@TempDir Path dir) throws IOException {
    Path config = Files.writeString(dir.resolve("config"), "[profile ci]\nregion = sa-east-1\n");
    Path credentials =
        Files.writeString(
            dir.resolve("credentials"),
            "[ci]\naws_access_key_id = AKIDPROFILEEXAMPLE\n"
                + "aws_secret_access_key = profileSecretKeyEXAMPLE\n");
    System.setProperty("aws.configFile", config.toString());
    System.setProperty("aws.sharedCredentialsFile", credentials.toString());

    Cli.Result r =
        Cli.run(
            "token",
            "rds",
            "--host",
            "db1.abc123.eu-west-3.rds.amazonaws.com",
            "--port",
            "5432",
            "--user",
            "app",
            "--profile",
            "ci");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(ParsedToken.parse(r.token()).region()).isEqualTo("eu-west-3");
  }
}
