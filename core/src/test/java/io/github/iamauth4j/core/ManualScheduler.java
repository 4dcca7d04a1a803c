package io.github.iamauth4j.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A {@link RefreshScheduler} driven by the test: timers fall due on a {@link MutableClock},
 * blocking tasks queue up, and both run on the test thread only when the test says so. Thread-safe.
 */
final class ManualScheduler implements RefreshScheduler {
  private final MutableClock clock;
  private final List<Timer> timers = new ArrayList<>();
  private final ArrayDeque<Runnable> queued = new ArrayDeque<>();
  private long sequence;

  ManualScheduler(MutableClock clock) {
    this.clock = clock;
  }

  private static final class Timer {
    final Runnable task;
    final Instant due;
    final long sequence;
    boolean cancelled;

    Timer(Runnable task, Instant due, long sequence) {
      this.task = task;
      this.due = due;
      this.sequence = sequence;
    }
  }

  @Override
  public synchronized Cancellable schedule(Runnable task, Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("negative delay " + delay);
    }
    Timer t = new Timer(task, clock.instant().plus(delay), sequence++);
    timers.add(t);
    return () -> {
      synchronized (ManualScheduler.this) {
        t.cancelled = true;
        timers.remove(t);
      }
    };
  }

  @Override
  public synchronized void execute(Runnable task) {
    queued.add(task);
  }

  /** Runs the queued blocking tasks (not the timers), until none is left; returns how many ran. */
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

  /**
   * Runs every timer due at the clock's current instant, earliest first, leaving the queued
   * blocking tasks queued (a credential fetch that has not answered yet); returns how many timers
   * ran.
   */
  int runDueTimersOnly() {
    int n = 0;
    while (true) {
      Timer next;
      synchronized (this) {
        Instant now = clock.instant();
        next =
            timers.stream()
                .filter(t -> !t.due.isAfter(now))
                .min(Comparator.comparing((Timer t) -> t.due).thenComparing(t -> t.sequence))
                .orElse(null);
        if (next != null) {
          timers.remove(next);
        }
      }
      if (next == null) {
        return n;
      }
      next.task.run();
      n++;
    }
  }

  /**
   * Runs every timer due at the clock's current instant, earliest first, and every queued task,
   * until nothing due is left; returns how many tasks ran.
   */
  int runDue() {
    int n = runPending();
    while (true) {
      Timer next;
      synchronized (this) {
        Instant now = clock.instant();
        next =
            timers.stream()
                .filter(t -> !t.due.isAfter(now))
                .min(Comparator.comparing((Timer t) -> t.due).thenComparing(t -> t.sequence))
                .orElse(null);
        if (next != null) {
          timers.remove(next);
        }
      }
      if (next == null) {
        return n;
      }
      next.task.run();
      n++;
      n += runPending();
    }
  }

  /** The timers not yet run nor cancelled. */
  synchronized int pendingTimers() {
    return timers.size();
  }

  /** The queued blocking tasks. */
  synchronized int queuedTasks() {
    return queued.size();
  }

  /** When the earliest pending timer falls due. */
  synchronized Optional<Instant> nextDue() {
    return timers.stream().map(t -> t.due).min(Comparator.naturalOrder());
  }
}
