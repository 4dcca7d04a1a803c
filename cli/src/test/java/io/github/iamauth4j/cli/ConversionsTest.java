package io.github.iamauth4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class ConversionsTest {
  private final Conversions.DurationConverter durations = new Conversions.DurationConverter();

  @Test
  void durationsInSecondsUnitsOrIso() {
    assertThat(durations.convert("900")).isEqualTo(Duration.ofSeconds(900));
    assertThat(durations.convert("15m")).isEqualTo(Duration.ofMinutes(15));
    assertThat(durations.convert("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(durations.convert("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(durations.convert("PT1H")).isEqualTo(Duration.ofHours(1));
    assertThat(durations.convert("pt10s")).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void notADuration() {
    for (String bad : new String[] {"", "m", "1x", "1.5h", "-5m", "P", "soon"}) {
      assertThatThrownBy(() -> durations.convert(bad))
          .as(bad)
          .isInstanceOf(TypeConversionException.class)
          .hasMessageContaining("is not a duration (expected e.g. 900, 15m");
    }
  }

  @Test
  void humanDurationsShowTheTwoLargestUnits() {
    assertThat(Conversions.human(Duration.ZERO)).isEqualTo("0s");
    assertThat(Conversions.human(Duration.ofSeconds(45))).isEqualTo("45s");
    assertThat(Conversions.human(Duration.ofSeconds(872))).isEqualTo("14m 32s");
    assertThat(Conversions.human(Duration.ofMinutes(15))).isEqualTo("15m");
    assertThat(Conversions.human(Duration.ofMinutes(123))).isEqualTo("2h 3m");
    assertThat(Conversions.human(Duration.ofHours(2).plusSeconds(5))).isEqualTo("2h");
    assertThat(Conversions.human(Duration.ofHours(76))).isEqualTo("3d 4h");
    assertThat(Conversions.human(Duration.ofMinutes(-90))).isEqualTo("1h 30m");
  }

  @Test
  void credentialChainMessagesThatAreNotInTheSdkFormatAreLeftAlone() {
    assertThat(Messages.credentialChain("Unable to load credentials: something else")).isEmpty();
    assertThat(
            Messages.credentialChain(
                "Unable to load credentials from any of the providers in the chain X : [broken"))
        .isEmpty();
  }
}
