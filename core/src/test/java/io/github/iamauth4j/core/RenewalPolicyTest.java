package io.github.iamauth4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Defaults, validation and jitter of {@link RenewalPolicy}. */
class RenewalPolicyTest {

  @Test
  void defaults() {
    RenewalPolicy p = RenewalPolicy.defaults();

    assertThat(p.connectionLimit())
        .isEqualTo(Duration.ofHours(12))
        .isEqualTo(RenewalPolicy.SERVER_CONNECTION_LIMIT);
    assertThat(p.reauthenticationInterval()).isEqualTo(Duration.ofHours(1));
    assertThat(p.reauthenticationJitter()).isEqualTo(Duration.ofMinutes(10));
    assertThat(p.maxConnectionAge()).isEqualTo(Duration.ofHours(6));
    assertThat(p.maxConnectionAgeJitter()).isEqualTo(Duration.ofHours(1));
    assertThat(RenewalPolicy.builder().build().toString()).isEqualTo(p.toString());
    assertThat(p.toString()).contains("PT1H", "PT10M", "PT6H", "PT12H");
  }

  @Test
  void toBuilderKeepsEveryValue() {
    RenewalPolicy p =
        RenewalPolicy.builder()
            .connectionLimit(Duration.ofSeconds(20))
            .reauthenticationInterval(Duration.ofSeconds(5))
            .reauthenticationJitter(Duration.ofSeconds(2))
            .maxConnectionAge(Duration.ofSeconds(10))
            .maxConnectionAgeJitter(Duration.ZERO)
            .build();
    RenewalPolicy copy = p.toBuilder().build();

    assertThat(copy.connectionLimit()).isEqualTo(Duration.ofSeconds(20));
    assertThat(copy.reauthenticationInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(copy.reauthenticationJitter()).isEqualTo(Duration.ofSeconds(2));
    assertThat(copy.maxConnectionAge()).isEqualTo(Duration.ofSeconds(10));
    assertThat(copy.maxConnectionAgeJitter()).isZero();
    assertThat(copy.nextMaxConnectionAge()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void valuesAtOrAboveTheTwelveHourLimitAreRefused() {
    assertThatThrownBy(
            () -> RenewalPolicy.builder().reauthenticationInterval(Duration.ofHours(12)).build())
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining(
            "reauthenticationInterval: PT12H is not below the connection limit of PT12H");
    assertThatThrownBy(() -> RenewalPolicy.builder().maxConnectionAge(Duration.ofHours(13)).build())
        .hasMessageContaining("maxConnectionAge: PT13H is not below the connection limit");
    assertThatThrownBy(
            () ->
                RenewalPolicy.builder()
                    .connectionLimit(Duration.ofHours(12).plusSeconds(1))
                    .build())
        .hasMessageContaining("connectionLimit: PT12H1S is out of range");

    RenewalPolicy justBelow =
        RenewalPolicy.builder()
            .reauthenticationInterval(Duration.ofHours(12).minusSeconds(1))
            .maxConnectionAge(Duration.ofHours(12).minusMillis(1))
            .build();
    assertThat(justBelow.reauthenticationInterval()).isEqualTo(Duration.ofSeconds(43199));
  }

  @Test
  void valuesAreCheckedAgainstALoweredLimit() {
    RenewalPolicy.Builder b = RenewalPolicy.builder().connectionLimit(Duration.ofSeconds(10));
    assertThatThrownBy(b::build)
        .hasMessageContaining(
            "reauthenticationInterval: PT1H is not below the connection limit of PT10S")
        .hasMessageContaining("maxConnectionAge: PT6H is not below");

    RenewalPolicy p =
        b.reauthenticationInterval(Duration.ofSeconds(5))
            .reauthenticationJitter(Duration.ofSeconds(1))
            .maxConnectionAge(Duration.ofSeconds(9))
            .maxConnectionAgeJitter(Duration.ofSeconds(3))
            .build();
    assertThat(p.connectionLimit()).isEqualTo(Duration.ofSeconds(10));
    assertThatThrownBy(() -> RenewalPolicy.builder().connectionLimit(Duration.ofSeconds(1)).build())
        .hasMessageContaining(
            "connectionLimit: PT1S is out of range (expected 2 seconds to 12 hours");
  }

  @Test
  void secondsAreAllowedButNotLess() {
    RenewalPolicy p =
        RenewalPolicy.builder()
            .reauthenticationInterval(Duration.ofSeconds(1))
            .reauthenticationJitter(Duration.ZERO)
            .maxConnectionAge(Duration.ofSeconds(1))
            .maxConnectionAgeJitter(Duration.ofMillis(999))
            .build();
    assertThat(p.nextReauthenticationDelay()).isEqualTo(Duration.ofSeconds(1));

    assertThatThrownBy(
            () ->
                RenewalPolicy.builder()
                    .reauthenticationInterval(Duration.ofMillis(999))
                    .reauthenticationJitter(Duration.ZERO)
                    .build())
        .hasMessageContaining(
            "reauthenticationInterval: PT0.999S is too short (expected at least 1 second)");
  }

  @Test
  void jitterMustBeLessThanItsValueAndNotNegative() {
    IamConfigurationException e =
        catchThrowableOfType(
            IamConfigurationException.class,
            () ->
                RenewalPolicy.builder()
                    .reauthenticationInterval(Duration.ofMinutes(30))
                    .reauthenticationJitter(Duration.ofMinutes(30))
                    .maxConnectionAgeJitter(Duration.ofSeconds(-1))
                    .build());

    assertThat(e.problems()).hasSize(2);
    assertThat(e.problems().get(0))
        .isEqualTo(
            "reauthenticationJitter: PT30M is out of range (expected zero or more and less than"
                + " reauthenticationInterval PT30M)");
    assertThat(e.problems().get(1)).startsWith("maxConnectionAgeJitter: PT-1S is out of range");
    assertThatThrownBy(
            () -> RenewalPolicy.builder().maxConnectionAgeJitter(Duration.ofHours(7)).build())
        .hasMessageContaining("maxConnectionAgeJitter: PT7H");
  }

  @Test
  void everyProblemIsReportedTogether() {
    IamConfigurationException e =
        catchThrowableOfType(
            IamConfigurationException.class,
            () ->
                RenewalPolicy.builder()
                    .connectionLimit(Duration.ofDays(1))
                    .reauthenticationInterval(Duration.ZERO)
                    .maxConnectionAge(Duration.ofDays(2))
                    .maxConnectionAgeJitter(Duration.ofDays(3))
                    .build());

    assertThat(e.problems()).hasSize(5);
    assertThat(e.getMessage()).startsWith("invalid iamauth4j configuration (5 problems)");
  }

  @Test
  void jitterTakesBetweenZeroAndTheJitterOffTheValue() {
    Duration base = Duration.ofHours(1);
    Duration jitter = Duration.ofMinutes(10);
    assertThat(RenewalPolicy.jittered(base, jitter, 0)).isEqualTo(base);
    assertThat(RenewalPolicy.jittered(base, jitter, 1)).isEqualTo(Duration.ofMinutes(50));
    assertThat(RenewalPolicy.jittered(base, jitter, 0.5)).isEqualTo(Duration.ofMinutes(55));

    RenewalPolicy p = RenewalPolicy.defaults();
    Duration minSeen = base;
    Duration maxSeen = Duration.ZERO;
    for (int i = 0; i < 10_000; i++) {
      Duration d = p.nextReauthenticationDelay();
      assertThat(d).isGreaterThan(Duration.ofMinutes(50)).isLessThanOrEqualTo(base);
      Duration age = p.nextMaxConnectionAge();
      assertThat(age).isGreaterThan(Duration.ofHours(5)).isLessThanOrEqualTo(Duration.ofHours(6));
      minSeen = d.compareTo(minSeen) < 0 ? d : minSeen;
      maxSeen = d.compareTo(maxSeen) > 0 ? d : maxSeen;
    }
    // Spread over the whole range, not a constant: connections opened together part ways.
    assertThat(minSeen).isLessThan(Duration.ofMinutes(51));
    assertThat(maxSeen).isGreaterThan(Duration.ofMinutes(59));
  }

  @Test
  void scaledToTheFullLimitIsTheDefaults() {
    RenewalPolicy p = RenewalPolicy.scaledTo(Duration.ofHours(12));
    RenewalPolicy d = RenewalPolicy.defaults();
    assertThat(p.reauthenticationInterval()).isEqualTo(d.reauthenticationInterval());
    assertThat(p.reauthenticationJitter()).isEqualTo(d.reauthenticationJitter());
    assertThat(p.maxConnectionAge()).isEqualTo(d.maxConnectionAge());
    assertThat(p.maxConnectionAgeJitter()).isEqualTo(d.maxConnectionAgeJitter());
  }

  @Test
  void scaledToACompressedLimitKeepsTheProportions() {
    RenewalPolicy p = RenewalPolicy.scaledTo(Duration.ofSeconds(30));
    assertThat(p.connectionLimit()).isEqualTo(Duration.ofSeconds(30));
    assertThat(p.reauthenticationInterval()).isEqualTo(Duration.ofMillis(2500));
    assertThat(p.maxConnectionAge()).isEqualTo(Duration.ofSeconds(15));
    assertThatThrownBy(() -> RenewalPolicy.scaledTo(Duration.ofSeconds(5)))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("connectionLimit: PT5S is out of range");
  }
}
