package io.github.iamauth4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;

/** Region resolution, expiry validation and token times of {@link IamTokenGenerator}. */
class IamTokenGeneratorTest {
  private static final Instant NOW = Instant.parse("2026-03-01T10:00:00.250Z");
  private static final IamTarget CACHE = IamTarget.elastiCache("orders", "app");
  private static final IamTarget RDS =
      IamTarget.rds("db1.abc123.eu-west-1.rds.amazonaws.com", 5432, "app");

  private static IamTokenGenerator.Builder builder(IamTarget target, Supplier<String> chain) {
    return IamTokenGenerator.builder()
        .target(target)
        .credentialsProvider(FakeCredentials.basic())
        .clock(Clock.fixed(NOW, ZoneOffset.UTC))
        .regionChain(chain);
  }

  private static Supplier<String> chainNotCalled(AtomicInteger calls) {
    return () -> {
      calls.incrementAndGet();
      return "ap-south-1";
    };
  }

  @Test
  void explicitRegionWinsOverEverything() {
    AtomicInteger calls = new AtomicInteger();
    IamTokenGenerator g =
        builder(RDS, chainNotCalled(calls))
            .region("us-west-2")
            .endpoint("orders.abc.euc1.cache.amazonaws.com")
            .build();

    assertThat(g.region()).isEqualTo("us-west-2");
    assertThat(calls).hasValue(0);
    assertThat(ParsedToken.parse(g.generate().value()).region()).isEqualTo("us-west-2");
  }

  @Test
  void targetHostComesBeforeEndpointAndChain() {
    AtomicInteger calls = new AtomicInteger();
    IamTokenGenerator g =
        builder(RDS, chainNotCalled(calls)).endpoint("orders.abc.euc1.cache.amazonaws.com").build();

    assertThat(g.region()).isEqualTo("eu-west-1");
    assertThat(calls).hasValue(0);
  }

  @Test
  void endpointComesBeforeChain() {
    AtomicInteger calls = new AtomicInteger();
    IamTokenGenerator g =
        builder(CACHE, chainNotCalled(calls))
            .endpoint("master.orders.abc123.apse2.cache.amazonaws.com")
            .build();

    assertThat(g.region()).isEqualTo("ap-southeast-2");
    assertThat(calls).hasValue(0);
  }

  @Test
  void sdkChainIsTheLastResort() {
    AtomicInteger calls = new AtomicInteger();
    IamTokenGenerator g =
        builder(IamTarget.rds("localhost", 5432, "app"), chainNotCalled(calls))
            .endpoint("localhost")
            .build();

    assertThat(g.region()).isEqualTo("ap-south-1");
    assertThat(calls).hasValue(1);
  }

  @Test
  void noRegionAnywhereIsOneClearErrorListingWhatWasTried() {
    IamConfigurationException e =
        catchThrowableOfType(
            IamConfigurationException.class,
            () ->
                builder(IamTarget.rds("db.internal", 5432, "app"), () -> null)
                    .endpoint("10.0.0.7")
                    .build());

    assertThat(e.problems())
        .singleElement()
        .asString()
        .startsWith("region: could not be determined for RDS endpoint \"db.internal:5432\"")
        .contains("the region setting (not set)")
        .contains("the host name \"db.internal\" (names no region)")
        .contains("the endpoint \"10.0.0.7\" (names no region)")
        .contains("the AWS SDK region chain")
        .contains("(found none)")
        .contains("region(\"us-east-1\")");
  }

  @Test
  void chainFailureIsReportedLikeAnEmptyChain() {
    IamConfigurationException e =
        catchThrowableOfType(
            IamConfigurationException.class,
            () ->
                builder(
                        CACHE,
                        () -> {
                          throw SdkClientException.create("Unable to load region");
                        })
                    .build());

    assertThat(e.getMessage())
        .contains("the endpoint setting (not set)")
        .contains("(found none)")
        .doesNotContain("the host name");
  }

  @Test
  void invalidChainRegionIsNotUsed() {
    assertThatThrownBy(() -> builder(CACHE, () -> "moon-base").build())
        .hasMessageContaining("(found an invalid one)");
  }

  @Test
  void invalidExplicitRegionAndExpiryAreBothReported() {
    IamConfigurationException e =
        catchThrowableOfType(
            IamConfigurationException.class,
            () ->
                builder(CACHE, () -> "us-east-1")
                    .region("us-east")
                    .expiry(Duration.ofMinutes(16))
                    .build());

    assertThat(e.problems()).hasSize(2);
    assertThat(e.problems())
        .anyMatch(p -> p.startsWith("expiry: PT16M is out of range (expected 1 second to PT15M)"))
        .anyMatch(p -> p.startsWith("region: \"us-east\" is not an AWS region"));
  }

  @Test
  void missingTargetIsReported() {
    assertThatThrownBy(() -> IamTokenGenerator.builder().region("us-east-1").build())
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("target: is required");
  }

  @Test
  void dsqlAcceptsLongExpiriesOthersDoNot() {
    IamTarget dsql = IamTarget.dsql("abc.dsql.us-east-1.on.aws", "app");
    IamTokenGenerator g = builder(dsql, () -> null).expiry(Duration.ofDays(7)).build();

    AuthToken t = g.generate();
    assertThat(t.expiresAt()).isEqualTo(Instant.parse("2026-03-08T10:00:00Z"));
    assertThat(ParsedToken.parse(t.value()).expiry()).isEqualTo(Duration.ofDays(7));
    assertThatThrownBy(
            () -> builder(dsql, () -> null).expiry(Duration.ofDays(7).plusSeconds(1)).build())
        .hasMessageContaining("expiry: ");
    assertThatThrownBy(() -> builder(RDS, () -> null).expiry(Duration.ofMinutes(30)).build())
        .hasMessageContaining("expiry: PT30M is out of range");
    assertThatThrownBy(() -> builder(RDS, () -> null).expiry(Duration.ofMillis(999)).build())
        .hasMessageContaining("expiry: ");
  }

  @Test
  void tokenTimesAreTruncatedToTheSecondAndCappedByCredentials() {
    AuthToken basic = builder(CACHE, () -> "us-east-1").build().generate();
    assertThat(basic.issuedAt()).isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));
    assertThat(basic.expiresAt()).isEqualTo(Instant.parse("2026-03-01T10:15:00Z"));
    assertThat(basic.usableUntil()).isEqualTo(basic.expiresAt());
    assertThat(basic.usableLife()).isEqualTo(Duration.ofMinutes(15));
    assertThat(basic.userName()).isEqualTo("app");

    Instant credsExpire = Instant.parse("2026-03-01T10:09:00Z");
    AuthToken capped =
        builder(CACHE, () -> "us-east-1")
            .credentialsProvider(FakeCredentials.basic().succeedWithSession(credsExpire))
            .build()
            .generate();
    assertThat(capped.expiresAt()).isEqualTo(Instant.parse("2026-03-01T10:15:00Z"));
    assertThat(capped.usableUntil()).isEqualTo(credsExpire);
    assertThat(ParsedToken.parse(capped.value()).hasSessionToken()).isTrue();

    AuthToken notCapped =
        builder(CACHE, () -> "us-east-1")
            .credentialsProvider(
                FakeCredentials.basic().succeedWithSession(credsExpire.plusSeconds(3600)))
            .build()
            .generate();
    assertThat(notCapped.usableUntil()).isEqualTo(notCapped.expiresAt());
  }

  @Test
  void credentialFailureNamesTheTarget() {
    IamTokenGenerator g =
        builder(CACHE, () -> "us-east-1")
            .credentialsProvider(
                FakeCredentials.basic()
                    .fail(
                        SdkClientException.create("Unable to load credentials from any provider")))
            .build();

    assertThatThrownBy(g::generate)
        .isInstanceOf(TokenUnavailableException.class)
        .hasMessage(
            "could not sign a token for ElastiCache cache \"orders\" (user \"app\"): Unable to load"
                + " credentials from any provider")
        .hasCauseInstanceOf(SdkClientException.class);
  }

  @Test
  void generateAtReproducesAToken() {
    IamTokenGenerator g = builder(CACHE, () -> "us-east-1").build();
    Instant at = Instant.parse("2025-01-01T00:00:00Z");

    assertThat(g.generate(at).value()).isEqualTo(g.generate(at).value());
    assertThat(g.generate(at).issuedAt()).isEqualTo(at);
    assertThat(g.expiry()).isEqualTo(Duration.ofMinutes(15));
    assertThat(g.target()).isEqualTo(CACHE);
  }
}
