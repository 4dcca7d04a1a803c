package io.github.iamauth4j.testkit.compat;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition, failing with what was awaited when it does not come in time. */
final class Await {
  private static final long POLL_NANOS = Duration.ofMillis(20).toNanos();

  private Await() {}

  static void until(String what, Duration atMost, BooleanSupplier condition) {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("gave up after " + atMost + " waiting until " + what);
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  /** Waits until {@code duration} has passed (the length of a load run), polling {@code stop}. */
  static void during(Duration duration, BooleanSupplier stopEarly) {
    long end = System.nanoTime() + duration.toNanos();
    while (System.nanoTime() - end < 0 && !stopEarly.getAsBoolean()) {
      LockSupport.parkNanos(POLL_NANOS);
    }
  }
}
