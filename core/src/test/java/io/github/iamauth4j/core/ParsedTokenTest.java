package io.github.iamauth4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/** Taking tokens apart and verifying them as the server would. */
class ParsedTokenTest {
  private static final AwsSessionCredentials SESSION =
      AwsSessionCredentials.create(
          FakeCredentials.ACCESS_KEY_ID, FakeCredentials.SECRET, FakeCredentials.SESSION_TOKEN);
  private static final Instant AT = Instant.parse("2024-02-29T23:59:59Z");

  @Test
  void rdsTokenWithOddUserAndSessionRoundTrips() {
    String user = "App User+/=%&é😀";
    IamTarget target = IamTarget.rds("db1.abc.us-gov-west-1.rds.amazonaws.com", 3306, user);
    String token =
        SigV4Presigner.create()
            .presign(target, "us-gov-west-1", SESSION, AT, Duration.ofMinutes(15));

    ParsedToken p = ParsedToken.parse(token);
    assertThat(p.host()).isEqualTo("db1.abc.us-gov-west-1.rds.amazonaws.com:3306");
    assertThat(p.user()).contains(user);
    assertThat(p.action()).isEqualTo("connect");
    assertThat(p.service()).isEqualTo("rds-db");
    assertThat(p.region()).isEqualTo("us-gov-west-1");
    assertThat(p.accessKeyId()).isEqualTo(FakeCredentials.ACCESS_KEY_ID);
    assertThat(p.signedAt()).isEqualTo(AT);
    assertThat(p.expiresAt()).isEqualTo(Instant.parse("2024-03-01T00:14:59Z"));
    assertThat(p.sessionToken()).contains(FakeCredentials.SESSION_TOKEN);
    assertThat(p.signedHeaders()).isEqualTo("host");
    assertThat(p.resourceType()).isEmpty();
    assertThat(p.signatureMatches(FakeCredentials.SECRET)).isTrue();
    assertThat(ParsedToken.parse("https://" + token).signatureMatches(FakeCredentials.SECRET))
        .isTrue();
    assertThat(p.parameters()).doesNotContainKey("X-Amz-Signature");
  }

  @Test
  void anyChangeBreaksTheSignature() {
    IamTarget target = IamTarget.elastiCacheServerless("orders", "app");
    String token =
        SigV4Presigner.create().presign(target, "us-east-1", SESSION, AT, Duration.ofMinutes(15));
    String[][] edits = {
      {"orders/?", "orderz/?"},
      {"User=app", "User=apq"},
      {"&ResourceType=ServerlessCache", ""},
      {"X-Amz-Expires=900", "X-Amz-Expires=901"},
      {"us-east-1", "us-east-2"},
      {"X-Amz-Date=20240229T235959Z", "X-Amz-Date=20240229T235958Z"},
    };
    for (String[] e : edits) {
      String changed = token.replace(e[0], e[1]);
      assertThat(changed).isNotEqualTo(token);
      assertThat(ParsedToken.parse(changed).signatureMatches(FakeCredentials.SECRET))
          .as("after replacing %s", e[0])
          .isFalse();
    }
    assertThat(ParsedToken.parse(token).signatureMatches(FakeCredentials.SECRET + "x")).isFalse();
  }

  @Test
  void credentialDateMustMatchTheSigningDate() {
    String token =
        SigV4Presigner.create()
            .presign(
                IamTarget.memoryDb("c", "u"), "us-east-1", SESSION, AT, Duration.ofMinutes(15));
    String otherDay = token.replace("%2F20240229%2F", "%2F20240301%2F");

    assertThat(ParsedToken.parse(otherDay).signatureMatches(FakeCredentials.SECRET)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "no-query",
        "/?Action=connect",
        "host/?Action=connect",
        "host/?Action=connect&Action=connect",
        "host/?=x",
        "host/?Action=%ZZ",
        "host/?Action=connect&X-Amz-Algorithm=AWS4-HMAC-SHA1&X-Amz-Credential=a%2Fb%2Fc%2Fd%2Faws4_request"
            + "&X-Amz-Date=20250101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=00",
        "host/?Action=connect&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2Fb"
            + "&X-Amz-Date=20250101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=00",
        "host/?Action=connect&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2Fb%2Fc%2Fd%2Faws4_request"
            + "&X-Amz-Date=yesterday&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=00",
        "host/?Action=connect&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2Fb%2Fc%2Fd%2Faws4_request"
            + "&X-Amz-Date=20250101T000000Z&X-Amz-Expires=soon&X-Amz-SignedHeaders=host&X-Amz-Signature=00",
        "hóst/?Action=connect&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2Fb%2Fc%2Fd%2Faws4_request"
            + "&X-Amz-Date=20250101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=00"
      })
  void malformedTokensAreRefusedWithoutBeingRepeated(String token) {
    assertThatThrownBy(() -> ParsedToken.parse(token))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not an IAM auth token")
        .satisfies(
            e -> assertThat(e.getMessage()).doesNotContain("X-Amz-Date=").doesNotContain("hóst"));
  }

  @Test
  void toStringShowsFactsButNoSecrets() {
    String token =
        SigV4Presigner.create()
            .presign(
                IamTarget.elastiCache("orders", "app"),
                "eu-west-1",
                SESSION,
                AT,
                Duration.ofMinutes(15));
    ParsedToken p = ParsedToken.parse(token);
    String signature = token.substring(token.indexOf("X-Amz-Signature=") + 16);

    assertThat(p.toString())
        .contains(
            "service=elasticache",
            "region=eu-west-1",
            "host=orders",
            "user=app",
            "sessionToken=present")
        .doesNotContain(signature)
        .doesNotContain(FakeCredentials.SESSION_TOKEN)
        .doesNotContain(FakeCredentials.SECRET);
  }

  @Test
  void toStringEscapesControlCharactersFromAnUntrustedToken() {
    String hostile =
        "my-cache/?Action=connect&User=app%0A2026-01-01%20INFO%20forged%1B%5B2J"
            + "&X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIDEXAMPLE%2F20260101%2Fus-east-1%0A%2Felasticache%2Faws4_request"
            + "&X-Amz-Date=20260101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature="
            + "0".repeat(64);

    String shown = ParsedToken.parse(hostile).toString();

    assertThat(shown)
        .doesNotContain("\n")
        .doesNotContain("\u001b")
        .contains("app\\u000a2026-01-01 INFO forged\\u001b[2J")
        .contains("region=us-east-1\\u000a");
  }
}
