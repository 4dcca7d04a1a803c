package io.github.iamauth4j.core.internal;

import io.github.iamauth4j.core.RefreshScheduler;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JVM-wide {@link RefreshScheduler}: one timer thread that never blocks, and up to four threads
 * for credential fetches (which can block on IMDS or STS for seconds). All threads are daemons and
 * the fetch threads exit when idle, so an app that never closes a provider still exits.
 */
public final class SharedScheduler implements RefreshScheduler {
  /** The instance behind {@link RefreshScheduler#shared()}. */
  public static final SharedScheduler INSTANCE = new SharedScheduler();

  private final ScheduledThreadPoolExecutor timer;
  private final ThreadPoolExecutor fetchers;

  private SharedScheduler() {
    timer = new ScheduledThreadPoolExecutor(1, daemon("iamauth4j-timer"));
    timer.setRemoveOnCancelPolicy(true);
    fetchers =
        new ThreadPoolExecutor(
            4, 4, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemon("iamauth4j-refresh"));
    fetchers.allowCoreThreadTimeOut(true);
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public Cancellable schedule(Runnable task, Duration delay) {
    ScheduledFuture<?> f = timer.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }

  @Override
  public void execute(Runnable task) {
    fetchers.execute(task);
  }
}
