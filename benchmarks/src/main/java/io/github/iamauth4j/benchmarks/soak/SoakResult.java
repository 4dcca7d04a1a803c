package io.github.iamauth4j.benchmarks.soak;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * What one soak run measured, with the targets checked: the summary table ({@link
 * #table()}), the JSON document ({@link #toJson()}), and the numbers the tests assert on.
 */
public final class SoakResult {
  /**
   * One target and how the run did against it.
   *
   * @param name what is checked
   * @param result the measured value
   * @param target the target
   * @param met whether it was met; null when the run cannot tell (e.g. no steady bin)
   */
  public record Check(String name, String result, String target, @Nullable Boolean met) {}

  private final SoakSettings settings;
  private final Map<String, Object> json;
  private final List<Check> checks;
  private final long failedOperations;
  private final long measuredOperations;
  private final long rejectedAuths;
  private final long closedAtLimit;
  private final long reauthentications;
  private final long tokensMinted;
  private final double expectedTokens;
  private final double authsPerConnectionPerInterval;
  private final double meanOpenConnections;
  private final long lostMessages;
  private final long lostElements;
  private final long rejectedAfterRecovery;
  private final long openedInLastQuarter;
  private final double connectRatio;
  private final long connectSamples;
  private final String summary;

  private SoakResult(Builder b) {
    this.settings = b.settings;
    List<Timeline.Bin> bins = Objects.requireNonNull(b.measured, "measured bins");
    Waves waves = Waves.of(bins, settings.stallThreshold().toNanos() / 1000);
    double seconds = (b.measureEnd - b.measureStart) / 1e9;
    long auths = 0;
    long reauths = 0;
    long rejected = 0;
    long opened = 0;
    long closed = 0;
    long ops = 0;
    double open = 0;
    for (Timeline.Bin bin : bins) {
      auths += bin.auths();
      reauths += bin.reauths();
      rejected += bin.rejected();
      opened += bin.opened();
      closed += bin.closedAtLimit();
      ops += bin.ops();
      open += bin.open();
    }
    open = bins.isEmpty() ? 0 : open / bins.size();
    long accepted = auths - rejected;
    double intervals = seconds / (settings.renewalInterval().toNanos() / 1e9);
    double perConnection = open == 0 || intervals == 0 ? Double.NaN : accepted / open / intervals;
    EventCounts.Snapshot events = Objects.requireNonNull(b.events, "events");
    Failures failures = Objects.requireNonNull(b.failures, "failures");
    Flows flows = Objects.requireNonNull(b.flows, "flows");
    ConnectComparison connect = Objects.requireNonNull(b.connect, "connect");
    FaultInjector fault = Objects.requireNonNull(b.fault, "fault");
    double tokenPeriod = settings.tokenPeriod().toNanos() / 1e9;

    this.failedOperations = failures.total();
    this.measuredOperations = ops;
    this.rejectedAuths = rejected;
    this.closedAtLimit = closed;
    this.reauthentications = reauths;
    this.tokensMinted = events.tokensIssued();
    this.expectedTokens = seconds / tokenPeriod;
    this.authsPerConnectionPerInterval = perConnection;
    this.meanOpenConnections = open;
    this.lostMessages = flows.lostMessages();
    this.lostElements = flows.lostElements();
    this.connectRatio = connect.medianRatio();
    this.connectSamples = connect.iam().getTotalCount();

    // After a fault: failures from its start on, when the last one happened, rejected AUTHs and new
    // connections in the last quarter of the measurement (a WRONGPASS or reconnect loop would
    // show there).
    long faultStart = fault.startNanos();
    long fromFault = 0;
    long lastFailureBinEnd = Long.MIN_VALUE;
    long rejectedLate = 0;
    long openedLate = 0;
    long lateFrom = b.measureEnd - (b.measureEnd - b.measureStart) / 4;
    for (Timeline.Bin bin : bins) {
      if (bin.endNanos() > faultStart) {
        fromFault += bin.failures();
        if (bin.failures() > 0) {
          lastFailureBinEnd = bin.endNanos();
        }
      }
      if (bin.startNanos() >= lateFrom) {
        rejectedLate += bin.rejected();
        openedLate += bin.opened();
      }
    }
    this.rejectedAfterRecovery = rejectedLate;
    this.openedInLastQuarter = openedLate;

    checks = new ArrayList<>();
    checks.add(
        new Check(
            "no failed operation (warm-up and measurement)",
            Format.count(failedOperations),
            "0",
            failedOperations == 0));
    double p99Ratio = waves.p99Ratio();
    checks.add(
        new Check(
            "p99 inside re-authentication waves vs steady state",
            Format.ratio(p99Ratio)
                + (Double.isNaN(waves.placeboHigh()) || p99Ratio <= waves.placeboHigh()
                    ? ""
                    : " (beyond chance)"),
            "<= 1.10x",
            Double.isNaN(p99Ratio) ? null : p99Ratio <= 1.10));
    double allowed = settings.expectedAuthsPerInterval() * 1.1;
    checks.add(
        new Check(
            "AUTHs per connection per renewal interval",
            Format.number(perConnection),
            "about 1 (policy: "
                + Format.number(settings.expectedAuthsPerInterval())
                + "; met if <= "
                + Format.number(allowed)
                + ")",
            Double.isNaN(perConnection) ? null : perConnection <= allowed));
    // A token's signing time is in whole seconds, so its usable life is up to 1 s shorter than
    // signed and the provider replaces it sooner: a quarter more than the nominal period gives.
    long tokensAllowed = (long) Math.ceil(expectedTokens * 1.25) + 2;
    checks.add(
        new Check(
            "tokens minted, independent of the connection count",
            tokensMinted + " for ~" + Format.number(open) + " connections",
            "<= " + tokensAllowed + " (one per " + Format.number(tokenPeriod) + " s, +25%, + 2)",
            tokensMinted <= tokensAllowed));
    checks.add(new Check("AUTH rejected (WRONGPASS)", Format.count(rejected), "0", rejected == 0));
    if (settings.adapter().isRedis()) {
      checks.add(
          new Check(
              "connections closed at the server's limit", Format.count(closed), "0", closed == 0));
      checks.add(
          new Check(
              "messages and queue elements lost",
              lostMessages + " / " + lostElements,
              "0 / 0",
              lostMessages == 0 && lostElements == 0));
    }
    checks.add(
        new Check(
            settings.staticToken()
                ? "connect with IAM vs a fixed token without the adapter (medians)"
                : "connect with IAM vs static password (medians)",
            Format.ratio(connectRatio),
            "<= 1.05x",
            Double.isNaN(connectRatio) ? null : connectRatio <= 1.05));

    Map<String, Object> m = new LinkedHashMap<>();
    m.put("settings", settingsMap());
    Map<String, Object> envMap = new LinkedHashMap<>();
    envMap.put("startedAt", b.startedAt);
    envMap.put("processors", Runtime.getRuntime().availableProcessors());
    envMap.put(
        "java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    envMap.put("loadAverageBefore", b.loadBefore);
    envMap.put("loadAverageAfter", b.loadAfter);
    Map<String, Object> platform = new LinkedHashMap<>();
    platform.put("hiccupMicros", Waves.percentiles(b.stalls));
    platform.put("gcCollections", b.gcCount);
    platform.put("gcMillis", b.gcMillis);
    envMap.put("platformDuringMeasurement", platform);
    m.put("environment", envMap);
    m.put("startupMillis", b.startup);
    Map<String, Object> opsMap = new LinkedHashMap<>();
    opsMap.put("attempted", b.attempted);
    opsMap.put("measuredSucceeded", ops);
    opsMap.put("measuredSeconds", seconds);
    opsMap.put("failed", failedOperations);
    opsMap.put("failedInMeasurement", b.measuredFailures);
    m.put("operations", opsMap);
    m.put("failures", failures.toMap());
    m.put("latency", waves.toMap());
    Map<String, Object> perOp = new LinkedHashMap<>();
    b.perOp.forEach((op, h) -> perOp.put(op.cliName(), Waves.percentiles(h)));
    m.put("latencyPerOperation", perOp);
    Map<String, Object> authMap = new LinkedHashMap<>();
    authMap.put("authenticationsJudged", auths);
    authMap.put("accepted", accepted);
    authMap.put("reauthentications", reauths);
    authMap.put("firstAuthentications", accepted - reauths);
    authMap.put("rejected", rejected);
    Map<String, Object> reasons = new LinkedHashMap<>();
    b.rejectedByReason.forEach((k, v) -> reasons.put(k, v));
    authMap.put("rejectedByReasonWholeRun", reasons);
    authMap.put("meanOpenConnections", open);
    authMap.put("renewalIntervals", intervals);
    authMap.put("authsPerConnectionPerInterval", perConnection);
    authMap.put("expectedFromPolicy", settings.expectedAuthsPerInterval());
    authMap.put("rejectedInLastQuarter", rejectedLate);
    m.put("auth", authMap);
    Map<String, Object> tokens = new LinkedHashMap<>();
    tokens.put("minted", tokensMinted);
    tokens.put("expectedFromTokenPeriod", expectedTokens);
    tokens.put("perConnection", open == 0 ? Double.NaN : tokensMinted / open);
    tokens.put("credentialCallsFailed", b.credentialCallsFailed);
    m.put("tokens", tokens);
    Map<String, Object> conns = new LinkedHashMap<>();
    conns.put("opened", opened);
    conns.put("openedInLastQuarter", openedLate);
    conns.put("closedAtLimit", closed);
    conns.put("retiredEvents", events.retired());
    m.put("connections", conns);
    m.put("events", events.toMap());
    m.put("flows", flows.toMap());
    Map<String, Object> faultMap = fault.toMap(b.measureStart);
    faultMap.put("failedFromFaultOn", fromFault);
    faultMap.put(
        "lastFailureSecondsAfterFault",
        lastFailureBinEnd == Long.MIN_VALUE || faultStart == Long.MAX_VALUE
            ? null
            : (lastFailureBinEnd - faultStart) / 1e9);
    m.put("fault", faultMap);
    m.put("connect", connect.toMap());
    List<Map<String, Object>> checkList = new ArrayList<>();
    for (Check c : checks) {
      Map<String, Object> cm = new LinkedHashMap<>();
      cm.put("name", c.name());
      cm.put("result", c.result());
      cm.put("target", c.target());
      cm.put("met", c.met());
      checkList.add(cm);
    }
    m.put("checks", checkList);
    m.put("perSecond", series(bins, b.measureStart));
    this.json = m;
    this.summary =
        summary(waves, b, fault, connect, events, flows, accepted, reauths, opened, open);
  }

  private Map<String, Object> settingsMap() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("adapter", settings.adapter().cliName());
    s.put("connections", settings.connections());
    s.put("threads", settings.threads());
    s.put("rate", settings.rate());
    Map<String, Object> mix = new LinkedHashMap<>();
    settings.mix().forEach((op, w) -> mix.put(op.cliName(), w));
    s.put("mix", mix);
    s.put("limitMillis", settings.limit());
    s.put("limits", settings.limits());
    s.put("warmupMillis", settings.warmup());
    s.put("renewalIntervalMillis", settings.renewalInterval());
    s.put("reauthJitterMillis", settings.policy().reauthenticationJitter());
    s.put("maxAgeMillis", settings.policy().maxConnectionAge());
    s.put("tokenLifeMillis", settings.tokenLife());
    s.put("tokenRefreshLeadMillis", settings.tokenRefreshLead());
    s.put("fault", settings.fault().cliName());
    s.put("faultAt", settings.faultAt());
    s.put("connectSamples", settings.connectSamples());
    s.put("connectStaticSide", settings.staticToken() ? "token" : "password");
    s.put("binMillis", settings.bin());
    s.put("label", settings.label());
    return s;
  }

  /** One entry a second: ops, p99 (µs), AUTHs, renewals, connections opened, failures, open. */
  private static Map<String, Object> series(List<Timeline.Bin> bins, long start) {
    List<Long> ops = new ArrayList<>();
    List<Long> p99 = new ArrayList<>();
    List<Long> auths = new ArrayList<>();
    List<Long> reauths = new ArrayList<>();
    List<Long> opened = new ArrayList<>();
    List<Long> failed = new ArrayList<>();
    List<Long> open = new ArrayList<>();
    int second = -1;
    Histogram h = new Histogram(1, Timeline.HIGHEST_MICROS, 3);
    for (Timeline.Bin bin : bins) {
      int s = (int) ((bin.endNanos() - start - 1) / 1_000_000_000L);
      if (s != second) {
        if (second >= 0) {
          p99.add(h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99));
          h.reset();
        }
        second = s;
        ops.add(0L);
        auths.add(0L);
        reauths.add(0L);
        opened.add(0L);
        failed.add(0L);
        open.add(0L);
      }
      int i = ops.size() - 1;
      ops.set(i, ops.get(i) + bin.ops());
      auths.set(i, auths.get(i) + bin.auths());
      reauths.set(i, reauths.get(i) + bin.reauths());
      opened.set(i, opened.get(i) + bin.opened());
      failed.set(i, failed.get(i) + bin.failures());
      open.set(i, bin.open());
      h.add(bin.latencies());
    }
    if (second >= 0) {
      p99.add(h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99));
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ops", ops);
    m.put("p99Micros", p99);
    m.put("auths", auths);
    m.put("renewals", reauths);
    m.put("opened", opened);
    m.put("failed", failed);
    m.put("open", open);
    return m;
  }

  private String summary(
      Waves w,
      Builder b,
      FaultInjector fault,
      ConnectComparison c,
      EventCounts.Snapshot events,
      Flows flows,
      long accepted,
      long reauths,
      long opened,
      double open) {
    StringBuilder s = new StringBuilder();
    s.append("== iamauth4j soak: ").append(settings.describe()).append(" ==\n");
    row(
        s,
        "operations",
        Format.count(measuredOperations)
            + " succeeded in the measurement, "
            + Format.count(failedOperations)
            + " failed in the whole run"
            + (failedOperations == 0 ? "" : " " + kinds(b)));
    s.append(
        String.format(
            Locale.ROOT,
            "  %-26s %9s %9s %9s %12s %10s%n",
            "latency, ms",
            "p50",
            "p99",
            "p99.9",
            "ops",
            "AUTH/bin"));
    latencyRow(s, "all", w.all(), Double.NaN);
    latencyRow(s, "re-auth waves (top 10%)", w.wave(), w.authsPerWaveBin());
    latencyRow(s, "steady (quieter half)", w.steady(), w.authsPerSteadyBin());
    latencyRow(s, "stalled bins (set apart)", w.stalled(), Double.NaN);
    row(
        s,
        "platform",
        "a 1 ms sleeper woke late by p99 "
            + Format.millis(b.stalls.getTotalCount() == 0 ? 0 : b.stalls.getValueAtPercentile(99))
            + " ms, max "
            + Format.millis(b.stalls.getMaxValue())
            + " ms; "
            + w.stalledBins()
            + " of "
            + w.bins()
            + " bins stalled (>= "
            + Format.duration(settings.stallThreshold())
            + "); GC "
            + b.gcCount
            + " collections, "
            + b.gcMillis
            + " ms");
    row(
        s,
        "p99 waves / steady",
        Format.ratio(w.p99Ratio())
            + "; the same for bins shuffled at random (chance alone): 95% within "
            + Format.number(w.placeboLow())
            + "-"
            + Format.number(w.placeboHigh())
            + "; with stalled bins kept: "
            + Format.ratio(w.p99RatioWithStalls()));
    row(
        s,
        "AUTH",
        Format.count(accepted)
            + " accepted ("
            + Format.count(reauths)
            + " renewals of live connections), "
            + Format.count(rejectedAuths)
            + " rejected; "
            + Format.number(authsPerConnectionPerInterval)
            + " per connection per "
            + Format.duration(settings.renewalInterval())
            + " interval");
    row(
        s,
        "tokens",
        tokensMinted
            + " minted (about "
            + Format.number(expectedTokens)
            + " expected, one per "
            + Format.duration(settings.tokenPeriod())
            + "), "
            + events.refreshesFailed()
            + " refreshes failed");
    row(
        s,
        "connections",
        Format.number(open)
            + " open on average; "
            + Format.count(opened)
            + " opened, "
            + Format.count(closedAtLimit)
            + " closed at the limit, "
            + events.retired()
            + " retired, "
            + Format.count(openedInLastQuarter)
            + " opened in the last quarter");
    if (settings.adapter().isRedis()) {
      row(
          s,
          "pub/sub, queue",
          Format.count(flows.deliveries.get())
              + " deliveries, "
              + Format.count(flows.received.get())
              + " received, "
              + lostMessages
              + " lost; "
              + Format.count(flows.pushed.get())
              + " pushed, "
              + Format.count(flows.popped.get())
              + " popped, "
              + flows.remaining
              + " left, "
              + lostElements
              + " lost");
    }
    String detail = fault.detail();
    row(
        s,
        "fault",
        settings.fault().cliName()
            + (detail == null ? "" : ": " + detail)
            + (settings.fault() == Fault.NONE || settings.fault() == Fault.SHORT_TOKEN_LIFE
                ? ""
                : "; rejected AUTHs in the last quarter: " + rejectedAfterRecovery));
    row(
        s,
        "connect, ms (p50 / p90)",
        c.iam().getTotalCount() == 0
            ? "not measured"
            : "IAM "
                + Format.millis(c.iam().getValueAtPercentile(50))
                + " / "
                + Format.millis(c.iam().getValueAtPercentile(90))
                + (settings.staticToken()
                    ? ", fixed token without the adapter "
                    : ", static password ")
                + Format.millis(c.plain().getValueAtPercentile(50))
                + " / "
                + Format.millis(c.plain().getValueAtPercentile(90))
                + " over "
                + c.iam().getTotalCount()
                + " pairs; "
                + Format.ratio(connectRatio)
                + " (95% "
                + Format.number(c.medianRatioInterval()[0])
                + "-"
                + Format.number(c.medianRatioInterval()[1])
                + "; paired "
                + Format.ratio(c.pairedMedianRatio())
                + ")");
    s.append('\n');
    s.append(String.format(Locale.ROOT, "  %-52s %-20s %-40s %s%n", "target", "result", "", ""));
    for (Check check : checks) {
      s.append(
          String.format(
              Locale.ROOT,
              "  %-52s %-20s %-40s %s%n",
              check.name(),
              check.result(),
              check.target(),
              check.met() == null ? "n/a" : check.met() ? "met" : "MISSED"));
    }
    return s.toString();
  }

  private static String kinds(Builder b) {
    return Objects.requireNonNull(b.failures).byKind().toString().toLowerCase(Locale.ROOT);
  }

  private static void row(StringBuilder s, String name, String value) {
    s.append(String.format(Locale.ROOT, "  %-26s %s%n", name, value));
  }

  private static void latencyRow(StringBuilder s, String name, Histogram h, double auths) {
    boolean any = h.getTotalCount() > 0;
    s.append(
        String.format(
            Locale.ROOT,
            "  %-26s %9s %9s %9s %12s %10s%n",
            name,
            Format.millis(any ? h.getValueAtPercentile(50) : Double.NaN),
            Format.millis(any ? h.getValueAtPercentile(99) : Double.NaN),
            Format.millis(any ? h.getValueAtPercentile(99.9) : Double.NaN),
            Format.count(h.getTotalCount()),
            Double.isNaN(auths) ? "" : Format.number(auths)));
  }

  /** The summary table, for a terminal. */
  public String table() {
    return summary;
  }

  /** The whole result as a JSON document. */
  public String toJson() {
    return Json.write(json);
  }

  /** The targets and how the run did. */
  public List<Check> checks() {
    return List.copyOf(checks);
  }

  /** The settings of the run. */
  public SoakSettings settings() {
    return settings;
  }

  /** Operations that failed, warm-up and measurement together. */
  public long failedOperations() {
    return failedOperations;
  }

  /** Operations that succeeded in the measured time. */
  public long measuredOperations() {
    return measuredOperations;
  }

  /** {@code AUTH}s the emulator rejected in the measured time. */
  public long rejectedAuths() {
    return rejectedAuths;
  }

  /** {@code AUTH}s rejected in the last quarter of the measured time. */
  public long rejectedInLastQuarter() {
    return rejectedAfterRecovery;
  }

  /** Connections the emulator opened in the last quarter of the measured time. */
  public long openedInLastQuarter() {
    return openedInLastQuarter;
  }

  /** Connections the emulator closed at the limit in the measured time. */
  public long closedAtLimit() {
    return closedAtLimit;
  }

  /** Re-authentications of live connections in the measured time. */
  public long reauthentications() {
    return reauthentications;
  }

  /** Tokens issued in the measured time. */
  public long tokensMinted() {
    return tokensMinted;
  }

  /** Tokens the token period gives over the measured time. */
  public double expectedTokens() {
    return expectedTokens;
  }

  /** Accepted {@code AUTH}s per open connection per renewal interval. */
  public double authsPerConnectionPerInterval() {
    return authsPerConnectionPerInterval;
  }

  /** Connections open at the emulator, on average over the measured time. */
  public double meanOpenConnections() {
    return meanOpenConnections;
  }

  /** Messages reported delivered that the subscriber never got. */
  public long lostMessages() {
    return lostMessages;
  }

  /** Queue elements neither popped nor left in the queue. */
  public long lostElements() {
    return lostElements;
  }

  /** Median IAM connect latency over median static-password connect latency. */
  public double connectRatio() {
    return connectRatio;
  }

  /** Connect pairs measured. */
  public long connectSamples() {
    return connectSamples;
  }

  /** Collects what {@link SoakRun} measured. */
  static final class Builder {
    private final SoakSettings settings;
    private final Instant startedAt;
    private final Duration startup;
    private long measureStart;
    private long measureEnd;
    private @Nullable List<Timeline.Bin> measured;
    private Map<Op, Histogram> perOp = Map.of();
    private EventCounts.@Nullable Snapshot events;
    private @Nullable FaultInjector fault;
    private @Nullable Failures failures;
    private long measuredFailures;
    private long attempted;
    private @Nullable Flows flows;
    private long credentialCallsFailed;
    private @Nullable ConnectComparison connect;
    private double loadBefore;
    private double loadAfter;
    private Histogram stalls = new Histogram(3);
    private long gcCount;
    private long gcMillis;
    private Map<String, Long> rejectedByReason = Map.of();

    Builder(SoakSettings settings, Instant startedAt, Duration startup) {
      this.settings = settings;
      this.startedAt = startedAt;
      this.startup = startup;
    }

    Builder measured(long start, long end, List<Timeline.Bin> bins) {
      this.measureStart = start;
      this.measureEnd = end;
      this.measured = bins;
      return this;
    }

    Builder perOp(Map<Op, Histogram> histograms) {
      this.perOp = histograms;
      return this;
    }

    Builder events(EventCounts.Snapshot e) {
      this.events = e;
      return this;
    }

    Builder fault(FaultInjector f) {
      this.fault = f;
      return this;
    }

    Builder failures(Failures f, long inMeasurement, long attemptedOps) {
      this.failures = f;
      this.measuredFailures = inMeasurement;
      this.attempted = attemptedOps;
      return this;
    }

    Builder flows(Flows f) {
      this.flows = f;
      return this;
    }

    Builder credentialCallsFailed(long n) {
      this.credentialCallsFailed = n;
      return this;
    }

    Builder connect(ConnectComparison c) {
      this.connect = c;
      return this;
    }

    Builder loadAverage(double before, double after) {
      this.loadBefore = before;
      this.loadAfter = after;
      return this;
    }

    Builder rejectedByReason(Map<String, Long> reasons) {
      this.rejectedByReason = reasons;
      return this;
    }

    Builder platform(Histogram hiccups, long collections, long collectionMillis) {
      this.stalls = hiccups;
      this.gcCount = collections;
      this.gcMillis = collectionMillis;
      return this;
    }

    SoakResult build() {
      return new SoakResult(this);
    }
  }
}
