package io.github.iamauth4j.benchmarks.soak;

import io.github.iamauth4j.testkit.net.EmulatorStats;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.DataFormatException;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The run cut into short bins (100 ms by default): for each, the latencies of the operations that
 * finished in it (an HdrHistogram, kept compressed), and what the emulator saw in it (the {@code
 * AUTH}s accepted and rejected, re-authentications, connections opened and closed at the limit).
 * Re-authentication waves are found afterwards among the bins by their {@code AUTH} count (see
 * {@link Waves}). Latencies are recorded in microseconds, from 1 µs to an hour, 3 significant
 * digits.
 */
final class Timeline implements AutoCloseable {
  static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

  /** The part of the run a bin belongs to. */
  enum Phase {
    WARMUP,
    MEASURED,
    AFTER
  }

  /**
   * One bin.
   *
   * @param startNanos its start on {@link System#nanoTime()}
   * @param endNanos its end
   * @param phase warm-up, measured, or after
   * @param auths {@code AUTH}s the emulator judged (accepted and rejected, first and renewals)
   * @param reauths accepted re-authentications of live connections
   * @param rejected {@code AUTH}s rejected
   * @param opened connections the emulator accepted
   * @param closedAtLimit connections it closed at the limit
   * @param open connections open at the end of the bin
   * @param failures failed operations
   * @param ops operations that finished in the bin
   * @param stallMicros the longest the hiccup meter's thread was woken late in the bin: a pause of
   *     the whole JVM (GC) or of the machine (other processes) that holds up everything alike
   * @param histogram their latencies, compressed
   */
  record Bin(
      long startNanos,
      long endNanos,
      Phase phase,
      long auths,
      long reauths,
      long rejected,
      long opened,
      long closedAtLimit,
      long open,
      long failures,
      long ops,
      long stallMicros,
      byte[] histogram) {
    Histogram latencies() {
      try {
        return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(histogram), 0);
      } catch (DataFormatException e) {
        throw new IllegalStateException("a bin's histogram does not decode", e);
      }
    }
  }

  private final Recorder recorder = new Recorder(1, HIGHEST_MICROS, 3);
  private final Map<Op, ConcurrentHistogram> perOp = new EnumMap<>(Op.class);
  private final EmulatorStats stats;
  private final Failures failures;
  private final List<Bin> bins = new ArrayList<>();
  private final ScheduledExecutorService sampler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "soak-timeline");
            t.setDaemon(true);
            return t;
          });
  private final Histogram stalls = new Histogram(1, HIGHEST_MICROS, 3);
  private final AtomicLong binStall = new AtomicLong();
  private final Thread hiccups;
  private volatile boolean running = true;
  private volatile Phase phase = Phase.WARMUP;
  private long lastNanos;
  private long lastAuths;
  private long lastReauths;
  private long lastRejected;
  private long lastOpened;
  private long lastClosedAtLimit;
  private long lastFailures;
  private Histogram recycled;

  Timeline(EmulatorStats stats, Failures failures) {
    this.stats = stats;
    this.failures = failures;
    for (Op op : Op.values()) {
      perOp.put(op, new ConcurrentHistogram(1, HIGHEST_MICROS, 3));
    }
    this.recycled = recorder.getIntervalHistogram();
    this.hiccups = new Thread(this::meterHiccups, "soak-hiccups");
    hiccups.setDaemon(true);
  }

  /**
   * Sleeps 1 ms at a time and notes how late it wakes up (as jHiccup does): what the platform, not
   * the client, adds to every latency in that moment.
   */
  private void meterHiccups() {
    long period = TimeUnit.MILLISECONDS.toNanos(1);
    while (running) {
      long start = System.nanoTime();
      LockSupport.parkNanos(period);
      long late = (System.nanoTime() - start - period) / 1000;
      if (late > 0) {
        binStall.accumulateAndGet(late, Math::max);
        if (phase == Phase.MEASURED) {
          synchronized (stalls) {
            stalls.recordValue(Math.min(late, HIGHEST_MICROS));
          }
        }
      }
    }
  }

  /** Starts cutting bins of {@code width}. */
  void start(long widthNanos) {
    synchronized (this) {
      lastNanos = System.nanoTime();
      lastAuths = stats.authenticationsAccepted() + stats.authenticationsRejected();
      lastReauths = stats.reauthentications();
      lastRejected = stats.authenticationsRejected();
      lastOpened = stats.connectionsOpened();
      lastClosedAtLimit = stats.connectionsClosedAtLimit();
      lastFailures = failures.total();
      recorder.reset();
    }
    hiccups.start();
    sampler.scheduleAtFixedRate(this::cut, widthNanos, widthNanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Records one operation's latency (thread-safe, wait-free).
   *
   * @param op the operation
   * @param micros its latency
   */
  void record(Op op, long micros) {
    long v = Math.max(1, Math.min(micros, HIGHEST_MICROS));
    recorder.recordValue(v);
    if (phase == Phase.MEASURED) {
      perOp.get(op).recordValue(v);
    }
  }

  /** From now on, bins are measured (or, after the measurement, not). */
  void phase(Phase p) {
    cut();
    phase = p;
  }

  Phase phase() {
    return phase;
  }

  /** Closes the current bin now. */
  synchronized void cut() {
    long now = System.nanoTime();
    recycled = recorder.getIntervalHistogram(recycled);
    long auths = stats.authenticationsAccepted() + stats.authenticationsRejected();
    long reauths = stats.reauthentications();
    long rejected = stats.authenticationsRejected();
    long opened = stats.connectionsOpened();
    long closedAtLimit = stats.connectionsClosedAtLimit();
    long failed = failures.total();
    ByteBuffer buffer = ByteBuffer.allocate(recycled.getNeededByteBufferCapacity());
    int n = recycled.encodeIntoCompressedByteBuffer(buffer);
    byte[] compressed = new byte[n];
    buffer.flip();
    buffer.get(compressed);
    bins.add(
        new Bin(
            lastNanos,
            now,
            phase,
            auths - lastAuths,
            reauths - lastReauths,
            rejected - lastRejected,
            opened - lastOpened,
            closedAtLimit - lastClosedAtLimit,
            stats.openConnections(),
            failed - lastFailures,
            recycled.getTotalCount(),
            binStall.getAndSet(0),
            compressed));
    lastNanos = now;
    lastAuths = auths;
    lastReauths = reauths;
    lastRejected = rejected;
    lastOpened = opened;
    lastClosedAtLimit = closedAtLimit;
    lastFailures = failed;
  }

  /** The bins so far, oldest first. */
  synchronized List<Bin> bins() {
    return List.copyOf(bins);
  }

  /** The bins of one phase. */
  synchronized List<Bin> bins(Phase p) {
    return bins.stream().filter(b -> b.phase() == p).toList();
  }

  /** The latencies of each operation over the measured time. */
  Map<Op, Histogram> perOp() {
    Map<Op, Histogram> m = new EnumMap<>(Op.class);
    perOp.forEach(
        (op, h) -> {
          if (h.getTotalCount() > 0) {
            m.put(op, h.copy());
          }
        });
    return m;
  }

  /** How late the hiccup meter woke up over the measured time, µs. */
  Histogram stalls() {
    synchronized (stalls) {
      return stalls.copy();
    }
  }

  /** Stops cutting bins, after a last cut. */
  @Override
  public void close() {
    running = false;
    sampler.shutdownNow();
    try {
      sampler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    cut();
  }
}
