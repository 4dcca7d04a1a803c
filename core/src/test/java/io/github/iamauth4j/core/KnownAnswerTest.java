package io.github.iamauth4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;

/** AWS's own published known answers (SPEC.md §1). */
class KnownAnswerTest {
  static final AwsBasicCredentials EXAMPLE =
      AwsBasicCredentials.create(
          "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  static final Instant AT = Instant.parse("2025-01-01T00:00:00Z");

  @Test
  void serverlessElastiCacheTokenMatchesAwsKnownAnswer() {
    String token =
        SigV4Presigner.create()
            .presign(
                IamTarget.elastiCacheServerless("my-cache", "testuser"),
                "us-east-1",
                EXAMPLE,
                AT,
                Duration.ofMinutes(15));

    assertThat(token)
        .startsWith("my-cache/?Action=connect&ResourceType=ServerlessCache&User=testuser&")
        .contains(
            "X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20250101%2Fus-east-1%2Felasticache%2Faws4_request")
        .contains("&X-Amz-Date=20250101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host")
        .endsWith(
            "&X-Amz-Signature=28f349fd92f74e0192de149a74743ae7d087bb136523c342bdd67632a8360023");
  }

  @Test
  void parsedKnownAnswerVerifiesOnlyWithTheRightSecret() {
    String token =
        SigV4Presigner.create()
            .presign(
                IamTarget.elastiCacheServerless("my-cache", "testuser"),
                "us-east-1",
                EXAMPLE,
                AT,
                Duration.ofMinutes(15));
    ParsedToken parsed = ParsedToken.parse(token);

    assertThat(parsed.signatureMatches(EXAMPLE.secretAccessKey())).isTrue();
    assertThat(parsed.signatureMatches("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEX")).isFalse();
    assertThat(parsed.service()).isEqualTo("elasticache");
    assertThat(parsed.region()).isEqualTo("us-east-1");
    assertThat(parsed.host()).isEqualTo("my-cache");
    assertThat(parsed.user()).contains("testuser");
    assertThat(parsed.resourceType()).contains("ServerlessCache");
    assertThat(parsed.signedAt()).isEqualTo(AT);
    assertThat(parsed.expiresAt()).isEqualTo(AT.plusSeconds(900));
    assertThat(parsed.hasSessionToken()).isFalse();
  }
}
