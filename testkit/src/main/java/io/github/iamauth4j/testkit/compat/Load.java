package io.github.iamauth4j.testkit.compat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Continuous, paced traffic through a client under test: key/value workers ({@code SET} then {@code
 * GET} of the worker's own keys, spread over every slot), a transaction worker ({@code
 * MULTI}/{@code SET}/{@code SET}/{@code EXEC}) and optionally a publisher. Every failed command is
 * counted and the first few kept. Paced by a scheduler rather than flat out, so that the machine
 * stays usable and the traffic spans the whole run.
 */
final class Load {
  static final String CHANNEL = "kit-channel";
  private static final int KEYS_PER_WORKER = 64;
  private static final int KEPT_FAILURES = 10;

  private final RedisClientUnderTest client;
  private final ScheduledExecutorService executor;
  private final AtomicLong commands = new AtomicLong();
  private final AtomicLong transactions = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final List<Throwable> failures = new CopyOnWriteArrayList<>();
  private final List<String> published = new CopyOnWriteArrayList<>();
  private final AtomicInteger sequence = new AtomicInteger();

  private Load(RedisClientUnderTest client, int threads) {
    this.client = client;
    AtomicInteger n = new AtomicInteger();
    ThreadFactory daemons =
        r -> {
          Thread t = new Thread(r, "compat-load-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    this.executor = Executors.newScheduledThreadPool(threads, daemons);
  }

  /**
   * Starts the traffic.
   *
   * @param client the client
   * @param workers key/value workers
   * @param publish whether to publish a numbered message on {@link #CHANNEL} every 50 ms
   */
  static Load start(RedisClientUnderTest client, int workers, boolean publish) {
    Load load = new Load(client, workers + 2);
    for (int w = 0; w < workers; w++) {
      int worker = w;
      AtomicInteger i = new AtomicInteger();
      load.every(Duration.ofMillis(10), () -> load.keyValue(worker, i.getAndIncrement()));
    }
    load.every(Duration.ofMillis(50), load::transaction);
    if (publish) {
      load.every(Duration.ofMillis(50), load::publish);
    }
    return load;
  }

  private void every(Duration period, ThrowingRunnable task) {
    long nanos = period.toNanos();
    executor.scheduleWithFixedDelay(
        () -> {
          try {
            task.run();
          } catch (Throwable e) {
            // Kept, never rethrown: a periodic task that throws is never run again.
            failed.incrementAndGet();
            if (failures.size() < KEPT_FAILURES) {
              failures.add(e);
            }
          }
        },
        0,
        nanos,
        TimeUnit.NANOSECONDS);
  }

  private void keyValue(int worker, int i) {
    String key = "kit:w" + worker + ":" + (i % KEYS_PER_WORKER);
    String value = "v" + i;
    client.set(key, value);
    String read = client.get(key);
    if (!value.equals(read)) {
      throw new AssertionError("GET " + key + " returned " + read + ", expected " + value);
    }
    commands.addAndGet(2);
  }

  private void transaction() {
    int i = sequence.incrementAndGet();
    RedisClientUnderTest.Transaction tx = client.multi();
    tx.set("{tx}a", "a" + i);
    tx.set("{tx}b", "b" + i);
    List<String> replies = tx.exec();
    if (!replies.equals(List.of("OK", "OK"))) {
      throw new AssertionError("EXEC replied " + replies + ", expected [OK, OK]");
    }
    transactions.incrementAndGet();
  }

  private void publish() {
    String message = "m" + published.size();
    client.publish(CHANNEL, message);
    published.add(message);
  }

  /** Stops the traffic and waits for the commands under way. */
  void stop() throws InterruptedException {
    executor.shutdown();
    if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
      executor.shutdownNow();
      throw new AssertionError("the load did not stop within 60 seconds: a command hangs");
    }
  }

  long commands() {
    return commands.get();
  }

  long transactions() {
    return transactions.get();
  }

  long failedCommands() {
    return failed.get();
  }

  /** The first few failures, for the assertion message. */
  List<Throwable> failures() {
    return new ArrayList<>(failures);
  }

  /** The messages published, in order. */
  List<String> published() {
    return new ArrayList<>(published);
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }
}
