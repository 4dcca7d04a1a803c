package io.github.iamauth4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.SigV4Presigner;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

class InspectCommandTest {
  private static final AwsCredentials BASIC = AwsBasicCredentials.create(Cli.AKID, Cli.SECRET);
  private static final String SESSION_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE/session+token==";
  private static final AwsCredentials SESSION =
      AwsSessionCredentials.create("ASIAEXAMPLEKEYID", "sessionSecretEXAMPLE", SESSION_TOKEN);

  private static String token(IamTarget target, AwsCredentials creds, Instant at) {
    return SigV4Presigner.create().presign(target, "us-east-1", creds, at, Duration.ofMinutes(15));
  }

  private static String signature(String token) {
    return token.substring(token.indexOf("X-Amz-Signature=") + "X-Amz-Signature=".length());
  }

  @Test
  void showsEveryNonSecretFactAndThatTheTokenHasExpired() {
    String token =
        token(
            IamTarget.elastiCacheServerless("my-cache", "testuser"),
            BASIC,
            Instant.parse("2025-01-01T00:00:00Z"));
    CliContext context =
        Cli.context().withClock(Clock.fixed(Instant.parse("2025-01-01T02:20:00Z"), ZoneOffset.UTC));

    Cli.Result r = Cli.run(context, "inspect", token);

    assertThat(r.exitCode()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out().lines())
        .containsExactly(
            "service        elasticache (ElastiCache Serverless cache)",
            "region         us-east-1",
            "host           my-cache",
            "user           testuser",
            "action         connect",
            "resource type  ServerlessCache",
            "access key id  AKIAIOSFODNN7EXAMPLE",
            "signed at      2025-01-01T00:00:00Z",
            "expiry         15m (900 s), until 2025-01-01T00:15:00Z",
            "expired        yes, 2h 5m ago",
            "session token  absent",
            "signature      not verified (that needs the secret key)");
    assertThat(r.out()).doesNotContain(signature(token));
  }

  @Test
  void aLiveTokenShowsHowLongItHasLeft() {
    String token = token(IamTarget.memoryDb("carts", "app"), BASIC, Cli.NOW.minusSeconds(200));

    Cli.Result r = Cli.run("inspect", token);

    assertThat(r.out())
        .contains("service        memorydb (MemoryDB cluster)")
        .contains("resource type  -")
        .contains("expired        no, 11m 40s left");
  }

  @Test
  void aTokenSignedInTheFutureWarnsAboutClocks() {
    String token = token(IamTarget.memoryDb("carts", "app"), BASIC, Cli.NOW.plusSeconds(120));

    Cli.Result r = Cli.run("inspect", token);

    assertThat(r.out())
        .contains("expired        no, 17m left, but it was signed 2m in the future (check the");
  }

  @Test
  void readsTheTokenFromStdinAndNeverPrintsTheSessionTokenOrSignature() {
    String token =
        token(
            IamTarget.rds("db1.abc123.us-east-1.rds.amazonaws.com", 5432, "app"), SESSION, Cli.NOW);

    Cli.Result text = Cli.runWithStdin(token + "\n", "inspect", "-");
    Cli.Result json = Cli.runWithStdin(token, "inspect", "--json", "-");

    assertThat(text.exitCode()).isZero();
    assertThat(text.out())
        .contains("service        rds-db (RDS / Aurora / RDS Proxy endpoint)")
        .contains("host           db1.abc123.us-east-1.rds.amazonaws.com:5432")
        .contains("user           app")
        .contains("access key id  ASIAEXAMPLEKEYID")
        .contains("session token  present (not shown)")
        .contains("expired        no, 15m left");
    assertThat(json.exitCode()).isZero();
    assertThat(json.out()).contains("\"sessionToken\":true");
    for (Cli.Result r : new Cli.Result[] {text, json}) {
      assertThat(r.out())
          .doesNotContain(signature(token))
          .doesNotContain(SESSION_TOKEN)
          .doesNotContain("IQoJb3JpZ2luX2Vj")
          .doesNotContain("sessionSecretEXAMPLE");
      assertThat(r.err()).isEmpty();
    }
  }

  @Test
  void jsonIsOneObjectWithEveryField() {
    String token =
        token(
            IamTarget.elastiCacheServerless("my-cache", "testuser"),
            BASIC,
            Instant.parse("2025-01-01T00:00:00Z"));
    CliContext context =
        Cli.context().withClock(Clock.fixed(Instant.parse("2025-01-01T00:05:00Z"), ZoneOffset.UTC));

    Cli.Result r = Cli.run(context, "inspect", "--json", token);

    assertThat(r.exitCode()).isZero();
    assertThat(r.out())
        .isEqualTo(
            "{\"service\":\"elasticache\",\"kind\":\"ElastiCache Serverless cache\","
                + "\"region\":\"us-east-1\",\"host\":\"my-cache\",\"user\":\"testuser\","
                + "\"action\":\"connect\",\"resourceType\":\"ServerlessCache\","
                + "\"accessKeyId\":\"AKIAIOSFODNN7EXAMPLE\",\"signedAt\":\"2025-01-01T00:00:00Z\","
                + "\"expirySeconds\":900,\"expiresAt\":\"2025-01-01T00:15:00Z\",\"expired\":false,"
                + "\"expiresInSeconds\":600,\"sessionToken\":false}"
                + System.lineSeparator());
  }

  @Test
  void dsqlTokensNameTheAdminRoleOnly() {
    String admin = token(IamTarget.dsqlAdmin("abc.dsql.us-east-1.on.aws"), BASIC, Cli.NOW);
    String role = token(IamTarget.dsql("abc.dsql.us-east-1.on.aws", "app"), BASIC, Cli.NOW);

    assertThat(Cli.run("inspect", admin).out())
        .contains("service        dsql (Aurora DSQL cluster)")
        .contains("user           admin")
        .contains("action         DbConnectAdmin");
    assertThat(Cli.run("inspect", role).out())
        .contains("user           (not in the token: DbConnect is for any role except admin)");
    assertThat(Cli.run("inspect", "--json", role).out()).contains("\"user\":null");
  }

  @Test
  void hostileValuesAreEscapedNotPrinted() {
    // A token from an untrusted source whose user carries a terminal escape sequence.
    String token =
        "evil/?Action=connect&User=a%1B%5B2Jb&X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKID%2F20260301%2Fus-east-1%2Felasticache%2Faws4_request"
            + "&X-Amz-Date=20260301T120000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=00";

    Cli.Result text = Cli.run("inspect", token);
    Cli.Result json = Cli.run("inspect", "--json", token);

    assertThat(text.out()).doesNotContain("\u001b").contains("user           a\\u001b[2Jb");
    assertThat(json.out()).doesNotContain("\u001b").contains("\"user\":\"a\\u001b[2Jb\"");
  }
}
