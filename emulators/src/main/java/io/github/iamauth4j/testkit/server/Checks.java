package io.github.iamauth4j.testkit.server;

import java.time.Duration;
import java.util.Objects;

/** Argument checks the launchers' builders share. */
final class Checks {
  private Checks() {}

  /**
   * Returns {@code value} if it is positive.
   *
   * @param name the setting, for the message
   * @param value the duration
   * @throws IllegalArgumentException naming the setting if {@code value} is zero or negative
   */
  static Duration positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + ": must be positive (got " + value + ")");
    }
    return value;
  }
}
