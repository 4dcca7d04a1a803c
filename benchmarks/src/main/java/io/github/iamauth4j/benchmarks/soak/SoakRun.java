package io.github.iamauth4j.benchmarks.soak;

import io.github.iamauth4j.testkit.net.EmulatorStats;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One soak run: starts the emulator in front of the real server, opens the adapter's client with
 * its connections, runs the load through a warm-up and the measured time (injecting the fault),
 * stops, drains pub/sub and the queue, times connects with IAM against a static password, and
 * returns the {@link SoakResult}.
 */
public final class SoakRun {
  private final SoakSettings settings;
  private final Backends backends;
  private final PrintStream progress;

  /**
   * @param settings the run's settings
   * @param backends the real servers (shared between runs)
   * @param progress where the progress lines go
   */
  public SoakRun(SoakSettings settings, Backends backends, PrintStream progress) {
    this.settings = settings;
    this.backends = backends;
    this.progress = progress;
  }

  /**
   * Runs it.
   *
   * @return what was measured
   * @throws Exception if the client cannot be set up or connect at all
   */
  public SoakResult run() throws Exception {
    Failures failures = new Failures();
    Flows flows = new Flows();
    Instant startedAt = Instant.now();
    double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    try (Environment env = Environment.start(settings, backends);
        Driver driver = Drivers.create(settings.adapter(), env, flows, failures)) {
      long connectStart = System.nanoTime();
      driver.start();
      Duration startup = Duration.ofNanos(System.nanoTime() - connectStart);
      line(
          "started %s: %d connections open at the emulator after %s",
          settings.adapter().cliName(), env.stats().openConnections(), Format.duration(startup));
      EmulatorStats stats = env.stats();
      SoakResult.Builder result = new SoakResult.Builder(settings, startedAt, startup);
      try (Timeline timeline = new Timeline(stats, failures)) {
        Load load = new Load(driver, settings, timeline, failures);
        timeline.start(settings.bin().toNanos());
        load.start();
        long warmupEnd = System.nanoTime() + settings.warmup().toNanos();
        runUntil(
            warmupEnd, "warm-up", timeline, env, load, warmupEnd - settings.warmup().toNanos());
        timeline.phase(Timeline.Phase.MEASURED);
        long measureStart = System.nanoTime();
        EventCounts.Snapshot eventsBefore = env.events().snapshot();
        long[] gcBefore = gc();
        long failuresBefore = failures.total();
        long measureEnd = measureStart + settings.measured().toNanos();
        long faultAt = measureStart + (long) (settings.measured().toNanos() * settings.faultAt());
        try (FaultInjector fault = FaultInjector.start(env, settings, faultAt)) {
          runUntil(measureEnd, "measured", timeline, env, load, measureStart);
          timeline.phase(Timeline.Phase.AFTER);
          EventCounts.Snapshot events = env.events().snapshot().minus(eventsBefore);
          long measuredFailures = failures.total() - failuresBefore;
          long[] gcAfter = gc();
          result.platform(timeline.stalls(), gcAfter[0] - gcBefore[0], gcAfter[1] - gcBefore[1]);
          load.stop();
          awaitDeliveries(flows);
          driver.drain();
          result
              .measured(measureStart, measureEnd, timeline.bins(Timeline.Phase.MEASURED))
              .perOp(timeline.perOp())
              .events(events)
              .fault(fault)
              .failures(failures, measuredFailures, load.ops())
              .flows(flows)
              .credentialCallsFailed(env.aws().failedCalls())
              .rejectedByReason(reasons(stats));
        }
      }
      line("load stopped; timing %d connects of each kind", settings.connectSamples());
      result.connect(ConnectComparison.run(driver, settings.connectSamples()));
      double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
      return result.loadAverage(loadBefore, loadAfter).build();
    }
  }

  /** Rejected token authentications by the emulator's reason (e.g. EXPIRED, BAD_SIGNATURE). */
  private static Map<String, Long> reasons(EmulatorStats stats) {
    Map<String, Long> m = new LinkedHashMap<>();
    stats.rejectionsByReason().forEach((reason, n) -> m.put(reason.name(), n));
    return m;
  }

  /** Garbage collections and their time (ms) so far, over every collector. */
  private static long[] gc() {
    long count = 0;
    long millis = 0;
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, b.getCollectionCount());
      millis += Math.max(0, b.getCollectionTime());
    }
    return new long[] {count, millis};
  }

  private static void awaitDeliveries(Flows flows) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (flows.received.get() < flows.deliveries.get() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  /** Waits until {@code endNanos}, printing a progress line every {@code progressEvery}. */
  private void runUntil(
      long endNanos, String what, Timeline timeline, Environment env, Load load, long fromNanos)
      throws InterruptedException {
    long every = settings.progressEvery().toNanos();
    long next = every == 0 ? Long.MAX_VALUE : System.nanoTime() + every;
    int binsSeen = timeline.bins().size();
    long opsSeen = load.ops();
    long lastPrint = System.nanoTime();
    while (true) {
      long now = System.nanoTime();
      if (now >= endNanos) {
        return;
      }
      long wait = Math.min(endNanos, next) - now;
      TimeUnit.NANOSECONDS.sleep(Math.max(wait, 1));
      if (System.nanoTime() >= next) {
        List<Timeline.Bin> bins = timeline.bins();
        List<Timeline.Bin> recent = bins.subList(Math.min(binsSeen, bins.size()), bins.size());
        binsSeen = bins.size();
        long nowOps = load.ops();
        long t = System.nanoTime();
        progress(what, timeline, env, recent, nowOps - opsSeen, t - lastPrint, t - fromNanos);
        opsSeen = nowOps;
        lastPrint = t;
        next += every;
      }
    }
  }

  private void progress(
      String what,
      Timeline timeline,
      Environment env,
      List<Timeline.Bin> recent,
      long ops,
      long periodNanos,
      long intoNanos) {
    Histogram h = new Histogram(1, Timeline.HIGHEST_MICROS, 3);
    long auths = 0;
    long reauths = 0;
    long opened = 0;
    long failed = 0;
    for (Timeline.Bin b : recent) {
      h.add(b.latencies());
      auths += b.auths();
      reauths += b.reauths();
      opened += b.opened();
      failed += b.failures();
    }
    double seconds = periodNanos / 1e9;
    EmulatorStats s = env.stats();
    String total =
        what.equals("measured")
            ? Format.duration(settings.measured())
            : Format.duration(settings.warmup());
    line(
        "%s %s/%s | %s ops/s, %s failed | p50 %s p99 %s p99.9 %s ms | AUTH %s/s (renewals %s/s),"
            + " rejected %s | open %d, opened %s/s, closed at limit %s | tokens %d",
        what,
        Format.duration(Duration.ofNanos(intoNanos)),
        total,
        Format.count(Math.round(ops / seconds)),
        Format.count(failed),
        Format.millis(h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(50)),
        Format.millis(h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(99)),
        Format.millis(h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(99.9)),
        Format.count(Math.round(auths / seconds)),
        Format.count(Math.round(reauths / seconds)),
        Format.count(s.authenticationsRejected()),
        s.openConnections(),
        Format.count(Math.round(opened / seconds)),
        Format.count(s.connectionsClosedAtLimit()),
        env.events().tokensIssued.get());
  }

  private void line(String format, Object... args) {
    progress.println("soak " + settings.adapter().cliName() + ": " + String.format(format, args));
    progress.flush();
  }
}
