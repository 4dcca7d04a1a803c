package io.github.iamauth4j.lettuce;

import io.github.iamauth4j.core.RefreshScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A {@link RefreshScheduler} driven by the test: timers fall due on a {@link MutableClock} and
 * blocking tasks queue up; both run on the test thread only when the test says so.
 */
final class ManualScheduler implements RefreshScheduler {
  private final MutableClock clock;
  private final List<Timer> timers = new ArrayList<>();
  private final ArrayDeque<Runnable> queued = new ArrayDeque<>();
  private long sequence;

  ManualScheduler(MutableClock clock) {
    this.clock = clock;
  }

  private record Timer(Runnable task, Instant due, long sequence) {}

  @Override
  public synchronized Cancellable schedule(Runnable task, Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("negative delay " + delay);
    }
    Timer t = new Timer(task, clock.instant().plus(delay), sequence++);
    timers.add(t);
    return () -> {
      synchronized (ManualScheduler.this) {
        timers.remove(t);
      }
    };
  }

  @Override
  public synchronized void execute(Runnable task) {
    queued.add(task);
  }

  /** Runs the queued blocking tasks until none is left; returns how many ran. */
  int runPending() {
    int n = 0;
    while (true) {
      Runnable r;
      synchronized (this) {
        r = queued.poll();
      }
      if (r == null) {
        return n;
      }
      r.run();
      n++;
    }
  }

  /** Timers not yet run. */
  synchronized int timerCount() {
    return timers.size();
  }

  /**
   * Moves the clock by {@code d}, running each timer (and then the queued tasks) as it falls due.
   */
  void advance(Duration d) {
    Instant end = clock.instant().plus(d);
    while (true) {
      Optional<Timer> next;
      synchronized (this) {
        next =
            timers.stream()
                .filter(t -> !t.due().isAfter(end))
                .min(Comparator.comparing(Timer::due).thenComparingLong(Timer::sequence));
        next.ifPresent(timers::remove);
      }
      if (next.isEmpty()) {
        break;
      }
      Duration step = Duration.between(clock.instant(), next.get().due());
      if (!step.isNegative()) {
        clock.advance(step);
      }
      next.get().task().run();
      runPending();
    }
    Duration rest = Duration.between(clock.instant(), end);
    if (!rest.isNegative()) {
      clock.advance(rest);
    }
    runPending();
  }
}
