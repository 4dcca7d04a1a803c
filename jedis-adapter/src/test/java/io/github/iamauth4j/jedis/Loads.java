package io.github.iamauth4j.jedis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/** Paced traffic from several threads for the integration tests. */
final class Loads {
  private Loads() {}

  /** Runs {@code task} on {@code threads} threads, each repeating it every {@code pause}. */
  static void runFor(
      Duration duration,
      int threads,
      Duration pause,
      List<Throwable> failures,
      ThrowingRunnable task)
      throws InterruptedException {
    ScheduledExecutorService load = Executors.newScheduledThreadPool(threads);
    for (int i = 0; i < threads; i++) {
      load.scheduleWithFixedDelay(
          () -> {
            try {
              task.run();
            } catch (Throwable e) {
              failures.add(e);
            }
          },
          0,
          pause.toMillis(),
          TimeUnit.MILLISECONDS);
    }
    CountDownLatch ran = new CountDownLatch(1);
    load.schedule(ran::countDown, duration.toMillis(), TimeUnit.MILLISECONDS);
    ran.await();
    load.shutdown();
    Awaitility.await("the load stops").until(() -> load.awaitTermination(1, TimeUnit.SECONDS));
  }

  @FunctionalInterface
  interface ThrowingRunnable {
    void run() throws Exception;
  }
}
