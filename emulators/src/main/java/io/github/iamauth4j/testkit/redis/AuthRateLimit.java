package io.github.iamauth4j.testkit.redis;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * A token bucket of authentications per second on the emulator's clock: full at start with one
 * second's worth ({@code perSecond}), refilled continuously at {@code perSecond}. With a clock a
 * test holds still, exactly {@code perSecond} authentications pass and the next are refused until
 * the clock moves.
 */
final class AuthRateLimit {
  private final int perSecond;
  private final Clock clock;
  private double available;
  private Instant last;

  AuthRateLimit(int perSecond, Clock clock) {
    this.perSecond = perSecond;
    this.clock = clock;
    this.available = perSecond;
    this.last = clock.instant();
  }

  /** Whether one more authentication may go ahead now (and takes it from the bucket). */
  synchronized boolean tryAcquire() {
    Instant now = clock.instant();
    if (now.isAfter(last)) {
      double seconds = Duration.between(last, now).toNanos() / 1e9;
      available = Math.min(perSecond, available + seconds * perSecond);
      last = now;
    }
    if (available >= 1) {
      available -= 1;
      return true;
    }
    return false;
  }

  int perSecond() {
    return perSecond;
  }
}
