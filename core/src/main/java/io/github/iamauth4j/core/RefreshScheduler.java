package io.github.iamauth4j.core;

import io.github.iamauth4j.core.internal.SharedScheduler;
import java.time.Duration;

/**
 * Where token providers run their timers and their (possibly blocking) credential fetches. The
 * {@link #shared() shared} one is a single timer thread plus a small pool of daemon threads for
 * fetches, used by every provider in the JVM. Tests may supply their own to drive time by hand.
 */
public interface RefreshScheduler {

  /**
   * Runs {@code task} once after {@code delay}. The task must not block: it may hand blocking work
   * to {@link #execute(Runnable)}.
   *
   * @param task the task
   * @param delay the delay, zero or more
   * @return a handle to cancel it
   */
  Cancellable schedule(Runnable task, Duration delay);

  /**
   * Runs {@code task}, which may block (a credential fetch), on a thread of this scheduler, never
   * on the caller's.
   *
   * @param task the task
   */
  void execute(Runnable task);

  /** A scheduled task that can be cancelled. */
  @FunctionalInterface
  interface Cancellable {
    /** Cancels the task if it has not run yet. */
    void cancel();
  }

  /** The JVM-wide scheduler: one timer thread and at most 4 fetch threads, all daemons. */
  static RefreshScheduler shared() {
    return SharedScheduler.INSTANCE;
  }
}
