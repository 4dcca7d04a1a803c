package io.github.iamauth4j.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option value converters whose errors say what was expected. A failure is a usage error. */
final class Conversions {
  private static final Pattern DURATION_PART = Pattern.compile("(\\d{1,9})([smhd])");
  private static final Pattern DURATION = Pattern.compile("(?:\\d{1,9}[smhd])+");

  private Conversions() {}

  /** A duration as people write it: {@code 30s}, {@code 2.5s}, {@code 15m}, {@code 12h}. */
  static String describe(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return java.math.BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString() + "s";
  }

  /** ISO-8601 instants, e.g. {@code 2025-01-01T00:00:00Z}. */
  static final class InstantConverter implements ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
      try {
        return Instant.parse(value);
      } catch (DateTimeParseException e) {
        throw new TypeConversionException(
            Messages.quote(value)
                + " is not an ISO-8601 instant (expected e.g. 2025-01-01T00:00:00Z)");
      }
    }
  }

  /**
   * Durations: a number of seconds ({@code 900}), units ({@code 15m}, {@code 1h30m}, {@code 7d}) or
   * ISO-8601 ({@code PT1H}).
   */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Duration d = parse(value.strip().toLowerCase(Locale.ROOT));
      if (d == null) {
        throw new TypeConversionException(
            Messages.quote(value)
                + " is not a duration (expected e.g. 900, 15m, 1h, 1h30m, 7d or PT1H)");
      }
      return d;
    }

    private static @Nullable Duration parse(String v) {
      if (v.matches("\\d{1,9}")) {
        return Duration.ofSeconds(Long.parseLong(v));
      }
      if (DURATION.matcher(v).matches()) {
        Duration d = Duration.ZERO;
        Matcher m = DURATION_PART.matcher(v);
        while (m.find()) {
          long n = Long.parseLong(m.group(1));
          d =
              switch (m.group(2)) {
                case "s" -> d.plusSeconds(n);
                case "m" -> d.plusMinutes(n);
                case "h" -> d.plusHours(n);
                default -> d.plusDays(n);
              };
        }
        return d;
      }
      if (v.startsWith("p")) {
        try {
          return Duration.parse(v.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
          return null;
        }
      }
      return null;
    }
  }

  /**
   * A short human form of a duration's magnitude: its two largest units, e.g. {@code 2h 3m}, {@code
   * 14m 32s}, {@code 45s}, {@code 3d 4h}.
   */
  static String human(Duration duration) {
    long s = Math.abs(duration.getSeconds());
    long[] amounts = {s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60, s % 60};
    String[] units = {"d", "h", "m", "s"};
    StringBuilder b = new StringBuilder();
    int shown = 0;
    for (int i = 0; i < amounts.length && shown < 2; i++) {
      if (amounts[i] != 0 || (shown == 0 && i == amounts.length - 1)) {
        if (b.length() > 0) {
          b.append(' ');
        }
        b.append(amounts[i]).append(units[i]);
        shown++;
      } else if (shown > 0) {
        break;
      }
    }
    return b.toString();
  }
}
