package io.github.iamauth4j.benchmarks.soak;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the four Redis drivers share: the load's key/value, {@code MULTI}/{@code EXEC}, publish and
 * push operations with their checks, and the consumer thread that takes from the queue with a
 * blocking pop. Each driver supplies the client calls.
 */
abstract class RedisDriver implements Driver {
  private static final Logger LOG = LoggerFactory.getLogger(RedisDriver.class);

  /** Keys per load thread for SET and GET. */
  static final int KEYS = 32;

  /** How long one blocking pop waits. */
  static final Duration POP_TIMEOUT = Duration.ofSeconds(1);

  final Environment env;
  final SoakSettings settings;
  final Flows flows;
  final Failures failures;
  private volatile boolean consuming;
  private @Nullable Thread consumer;

  RedisDriver(Environment env, Flows flows, Failures failures) {
    this.env = env;
    this.settings = env.settings();
    this.flows = flows;
    this.failures = failures;
  }

  /** The client calls one load thread makes; used by that thread only. */
  interface Commands {
    void set(String key, String value) throws Exception;

    @Nullable String get(String key) throws Exception;

    /** MULTI, SET a, SET b, EXEC: the replies of the two SETs. */
    List<?> multi(String keyA, String keyB, String value) throws Exception;

    /** PUBLISH: how many subscribers got the message. */
    long publish(String channel, String message) throws Exception;

    void push(String list, String element) throws Exception;
  }

  /** This thread's client calls. */
  abstract Commands commands(int thread);

  /**
   * One blocking pop from the queue, on the consumer thread.
   *
   * @return the element, or null when the timeout passed first
   */
  abstract @Nullable String blockingPop(String queue, Duration timeout) throws Exception;

  /** The queue's length now. */
  abstract long queueLength(String queue) throws Exception;

  /** Stops the subscriber. */
  abstract void stopSubscriber() throws Exception;

  String key(int thread, int k) {
    return "soak:" + env.runId() + ":" + thread + ":" + k;
  }

  String channel() {
    return "soak:" + env.runId() + ":channel";
  }

  String queue() {
    return "soak:" + env.runId() + ":queue";
  }

  /** Starts the consumer thread; call at the end of {@link #start()}. */
  void startConsumer() {
    consuming = true;
    Thread t =
        new Thread(
            () -> {
              while (consuming) {
                try {
                  String e = blockingPop(queue(), POP_TIMEOUT);
                  if (e != null) {
                    flows.popped.incrementAndGet();
                  }
                } catch (Exception e) {
                  if (consuming) {
                    failures.record("blpop", e, System.nanoTime());
                    pause();
                  }
                }
              }
            },
            "soak-consumer");
    t.setDaemon(true);
    t.start();
    consumer = t;
  }

  private static void pause() {
    try {
      Thread.sleep(10);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void drain() throws Exception {
    consuming = false;
    Thread t = consumer;
    if (t != null) {
      t.join(POP_TIMEOUT.multipliedBy(5).toMillis());
      if (t.isAlive()) {
        LOG.warn("the consumer did not stop within {}", POP_TIMEOUT.multipliedBy(5));
      }
    }
    flows.remaining = queueLength(queue());
    try {
      stopSubscriber();
    } catch (Exception e) {
      LOG.warn("stopping the subscriber: {}", e.toString());
    }
  }

  @Override
  public Worker worker(int thread) {
    Commands c = commands(thread);
    String[] keys = new String[KEYS];
    for (int k = 0; k < KEYS; k++) {
      keys[k] = key(thread, k);
    }
    String[] last = new String[KEYS];
    String keyA = "soak:" + env.runId() + ":" + thread + ":tx:a";
    String keyB = "soak:" + env.runId() + ":" + thread + ":tx:b";
    String channel = channel();
    String queue = queue();
    long[] seq = {0};
    return op -> {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      String value = thread + "-" + (++seq[0]);
      switch (op) {
        case SET -> {
          int k = random.nextInt(KEYS);
          last[k] = null; // unknown if the SET fails: it may or may not have been applied
          c.set(keys[k], value);
          last[k] = value;
        }
        case GET -> {
          int k = random.nextInt(KEYS);
          String got = c.get(keys[k]);
          if (last[k] != null && !last[k].equals(got)) {
            throw new Failures.WrongReply("GET returned " + got + ", expected " + last[k]);
          }
          last[k] = got;
        }
        case MULTI -> {
          List<?> replies = c.multi(keyA, keyB, value);
          if (replies.size() != 2) {
            throw new Failures.WrongReply("EXEC returned " + replies.size() + " replies");
          }
        }
        case PUBLISH -> {
          long n = c.publish(channel, value);
          flows.published.incrementAndGet();
          flows.deliveries.addAndGet(n);
        }
        case PUSH -> {
          c.push(queue, value);
          flows.pushed.incrementAndGet();
        }
        default -> throw new IllegalArgumentException(op + " is not a Redis operation");
      }
    };
  }
}
