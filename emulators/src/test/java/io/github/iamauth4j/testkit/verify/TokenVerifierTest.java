package io.github.iamauth4j.testkit.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.SigV4Presigner;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TokenVerifierTest {
  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  static final TrustedCredentials EXAMPLE = TrustedCredentials.example();

  static TokenVerifier verifier(IamTarget.Kind kind, String resource) {
    return TokenVerifier.builder()
        .kind(kind)
        .resource(resource)
        .port(5432)
        .region("us-east-1")
        .trust(EXAMPLE)
        .clock(Clock.fixed(NOW, ZoneOffset.UTC))
        .build();
  }

  static String sign(IamTarget target, String region, TrustedCredentials creds, Instant at) {
    return SigV4Presigner.create()
        .presign(target, region, creds.asAwsCredentials(), at, Duration.ofMinutes(15));
  }

  static Verdict verify(TokenVerifier v, String user, IamTarget target) {
    return v.verify(user, sign(target, "us-east-1", EXAMPLE, NOW.minusSeconds(60)));
  }

  @Test
  void acceptsAValidTokenForEachKind() {
    assertThat(
            verify(
                verifier(IamTarget.Kind.ELASTICACHE, "Orders"),
                "App",
                IamTarget.elastiCache("orders", "app")))
        .matches(Verdict::isAccepted);
    assertThat(
            verify(
                verifier(IamTarget.Kind.ELASTICACHE_SERVERLESS, "orders"),
                "app",
                IamTarget.elastiCacheServerless("orders", "app")))
        .matches(Verdict::isAccepted);
    assertThat(
            verify(
                verifier(IamTarget.Kind.MEMORYDB, "sessions"),
                "app",
                IamTarget.memoryDb("sessions", "app")))
        .matches(Verdict::isAccepted);
    assertThat(
            verify(
                verifier(IamTarget.Kind.RDS, "localhost"),
                "app user",
                IamTarget.rds("localhost", 5432, "app user")))
        .matches(Verdict::isAccepted);
    assertThat(
            verify(
                verifier(IamTarget.Kind.DSQL, "abc.dsql.us-east-1.on.aws"),
                "admin",
                IamTarget.dsqlAdmin("abc.dsql.us-east-1.on.aws")))
        .matches(Verdict::isAccepted);
  }

  @Test
  void rejectsEachMismatchWithItsReason() {
    TokenVerifier cache = verifier(IamTarget.Kind.ELASTICACHE, "orders");
    assertThat(reason(cache.verify("app", "not a token"))).isEqualTo(Rejection.MALFORMED);
    assertThat(reason(verify(cache, "app", IamTarget.memoryDb("orders", "app"))))
        .isEqualTo(Rejection.WRONG_SERVICE);
    assertThat(reason(verify(cache, "app", IamTarget.elastiCache("payments", "app"))))
        .isEqualTo(Rejection.WRONG_HOST);
    assertThat(reason(verify(cache, "other", IamTarget.elastiCache("orders", "app"))))
        .isEqualTo(Rejection.WRONG_USER);
    assertThat(reason(verify(cache, "app", IamTarget.elastiCacheServerless("orders", "app"))))
        .isEqualTo(Rejection.RESOURCE_TYPE_MISMATCH);
    assertThat(
            reason(
                verify(
                    verifier(IamTarget.Kind.ELASTICACHE_SERVERLESS, "orders"),
                    "app",
                    IamTarget.elastiCache("orders", "app"))))
        .isEqualTo(Rejection.RESOURCE_TYPE_MISMATCH);
    assertThat(
            reason(
                cache.verify(
                    "app",
                    sign(
                        IamTarget.elastiCache("orders", "app"),
                        "eu-west-1",
                        EXAMPLE,
                        NOW.minusSeconds(1)))))
        .isEqualTo(Rejection.WRONG_REGION);
    assertThat(
            reason(
                verify(
                    verifier(IamTarget.Kind.DSQL, "abc.dsql.us-east-1.on.aws"),
                    "admin",
                    IamTarget.dsql("abc.dsql.us-east-1.on.aws", "reader"))))
        .isEqualTo(Rejection.WRONG_ACTION);
    assertThat(
            reason(
                verify(
                    verifier(IamTarget.Kind.RDS, "localhost"),
                    "app",
                    IamTarget.rds("localhost", 5433, "app"))))
        .isEqualTo(Rejection.WRONG_HOST);
  }

  @Test
  void rejectsOnTimeAndIdentity() {
    TokenVerifier cache = verifier(IamTarget.Kind.ELASTICACHE, "orders");
    IamTarget target = IamTarget.elastiCache("orders", "app");
    assertThat(
            reason(cache.verify("app", sign(target, "us-east-1", EXAMPLE, NOW.minusSeconds(900)))))
        .isEqualTo(Rejection.EXPIRED);
    assertThat(cache.verify("app", sign(target, "us-east-1", EXAMPLE, NOW.minusSeconds(899))))
        .matches(Verdict::isAccepted);
    assertThat(
            reason(cache.verify("app", sign(target, "us-east-1", EXAMPLE, NOW.plusSeconds(301)))))
        .isEqualTo(Rejection.NOT_YET_VALID);
    TrustedCredentials stranger = TrustedCredentials.of("AKIASTRANGER", "secret");
    assertThat(reason(cache.verify("app", sign(target, "us-east-1", stranger, NOW))))
        .isEqualTo(Rejection.UNKNOWN_ACCESS_KEY);
    TrustedCredentials forged = TrustedCredentials.of(EXAMPLE.accessKeyId(), "not-the-secret");
    assertThat(reason(cache.verify("app", sign(target, "us-east-1", forged, NOW))))
        .isEqualTo(Rejection.BAD_SIGNATURE);
  }

  @Test
  void sessionCredentialsMustMatchAndStopAtTheirExpiration() {
    TrustedCredentials session =
        TrustedCredentials.session(
            "ASIAEXAMPLE", "sessionsecret", "FQoGZXIvYXdzE+session/token=", NOW.plusSeconds(120));
    IamTarget target = IamTarget.elastiCache("orders", "app");
    TokenVerifier.Builder b =
        TokenVerifier.builder()
            .kind(IamTarget.Kind.ELASTICACHE)
            .resource("orders")
            .region("us-east-1")
            .trust(session);
    String token = sign(target, "us-east-1", session, NOW);
    assertThat(
            b.clock(Clock.fixed(NOW.plusSeconds(60), ZoneOffset.UTC)).build().verify("app", token))
        .matches(Verdict::isAccepted);
    assertThat(
            reason(
                b.clock(Clock.fixed(NOW.plusSeconds(121), ZoneOffset.UTC))
                    .build()
                    .verify("app", token)))
        .isEqualTo(Rejection.CREDENTIALS_EXPIRED);
    TrustedCredentials withoutToken = TrustedCredentials.of("ASIAEXAMPLE", "sessionsecret");
    assertThat(
            reason(
                b.clock(Clock.fixed(NOW, ZoneOffset.UTC))
                    .build()
                    .verify("app", sign(target, "us-east-1", withoutToken, NOW))))
        .isEqualTo(Rejection.SESSION_TOKEN_MISMATCH);
  }

  @Test
  void verdictsAndCredentialsNeverShowSecrets() {
    TrustedCredentials session =
        TrustedCredentials.session("ASIAEXAMPLE", "sessionsecret", "the-session-token", null);
    TokenVerifier v =
        TokenVerifier.builder()
            .kind(IamTarget.Kind.ELASTICACHE)
            .resource("orders")
            .region("us-east-1")
            .trust(session)
            .clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .build();
    String token = sign(IamTarget.elastiCache("orders", "app"), "eu-west-1", session, NOW);
    Verdict verdict = v.verify("app", token);
    assertThat(verdict.toString() + v + session)
        .doesNotContain("sessionsecret")
        .doesNotContain("the-session-token")
        .doesNotContain(token.substring(token.indexOf("X-Amz-Signature=") + 16));
  }

  private static Rejection reason(Verdict v) {
    return v.rejection().orElseThrow(() -> new AssertionError("expected a rejection, got " + v));
  }
}
