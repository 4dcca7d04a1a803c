package io.github.iamauth4j.benchmarks.soak;

import java.time.Duration;
import java.util.Locale;

/** Numbers and durations as people read them in the progress line and the summary. */
final class Format {
  private Format() {}

  /** E.g. {@code 3s}, {@code 1.5s}, {@code 250ms}, {@code 5m}. */
  static String duration(Duration d) {
    long ms = d.toMillis();
    if (ms % 60_000 == 0 && ms >= 60_000) {
      return ms / 60_000 + "m";
    }
    if (ms >= 1000) {
      return number(ms / 1000.0) + "s";
    }
    return ms + "ms";
  }

  /** At most two decimals, no trailing zeros, e.g. {@code 10}, {@code 2.5}, {@code 0.33}. */
  static String number(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    String s = String.format(Locale.ROOT, "%.2f", v);
    if (s.contains(".")) {
      s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return s;
  }

  /** Thousands separated, e.g. {@code 1,234,567}. */
  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** Microseconds as milliseconds with two decimals, e.g. {@code 0.31}. */
  static String millis(double micros) {
    if (Double.isNaN(micros)) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%.2f", micros / 1000.0);
  }

  /** A ratio, e.g. {@code 1.03x}. */
  static String ratio(double r) {
    if (Double.isNaN(r) || Double.isInfinite(r)) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%.2fx", r);
  }
}
