package io.github.iamauth4j.benchmarks.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The load threads. Each runs the mix at its share of the rate on a fixed schedule (open loop), and
 * times each operation from when it was <em>due</em>, not from when it started: an operation held
 * up behind a slow one counts the wait too (no coordinated omission). With a rate of 0 each thread
 * runs the next operation as soon as the last one returns.
 */
final class Load {
  private final Driver driver;
  private final SoakSettings settings;
  private final Timeline timeline;
  private final Failures failures;
  private final Op[] table;
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong ops = new AtomicLong();
  private volatile boolean running;

  Load(Driver driver, SoakSettings settings, Timeline timeline, Failures failures) {
    this.driver = driver;
    this.settings = settings;
    this.timeline = timeline;
    this.failures = failures;
    this.table = table(settings.mix());
  }

  /** About 1,000 operations in the mix's proportions, drawn from at random. */
  private static Op[] table(Map<Op, Integer> mix) {
    int total = mix.values().stream().mapToInt(Integer::intValue).sum();
    List<Op> t = new ArrayList<>();
    int size = 1000;
    for (Map.Entry<Op, Integer> e : mix.entrySet()) {
      long n = Math.round((double) e.getValue() * size / total);
      if (e.getValue() > 0 && n == 0) {
        n = 1;
      }
      for (int i = 0; i < n; i++) {
        t.add(e.getKey());
      }
    }
    return t.toArray(new Op[0]);
  }

  /** Operations run so far (succeeded or failed). */
  long ops() {
    return ops.get();
  }

  void start() {
    running = true;
    int n = settings.threads();
    long intervalNanos =
        settings.rate() == 0 ? 0 : TimeUnit.SECONDS.toNanos(1) * n / settings.rate();
    for (int i = 0; i < n; i++) {
      Driver.Worker worker = driver.worker(i);
      int index = i;
      Thread t = new Thread(() -> loop(worker, intervalNanos, index, n), "soak-load-" + i);
      t.setDaemon(true);
      threads.add(t);
    }
    threads.forEach(Thread::start);
  }

  private void loop(Driver.Worker worker, long intervalNanos, int index, int n) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    // Threads start spread over one interval, so that they do not all fire together.
    long due = System.nanoTime() + (intervalNanos == 0 ? 0 : intervalNanos * index / n);
    while (running) {
      if (intervalNanos > 0) {
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
          continue;
        }
      } else {
        due = System.nanoTime();
      }
      Op op = table[random.nextInt(table.length)];
      try {
        worker.run(op);
        timeline.record(op, (System.nanoTime() - due) / 1000);
      } catch (Exception | AssertionError e) {
        failures.record(op.cliName(), e, System.nanoTime());
      }
      ops.incrementAndGet();
      due += intervalNanos;
    }
  }

  /** Stops the threads and waits for them (at most the clients' own timeouts). */
  void stop() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(90));
    }
  }
}
