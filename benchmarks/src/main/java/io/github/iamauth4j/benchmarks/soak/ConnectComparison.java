package io.github.iamauth4j.benchmarks.soak;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connect latency with IAM against a static password on the same TLS endpoint, side by side: pairs
 * of one connection of each kind, in alternating order (IAM first, then static first), after a
 * warm-up of a tenth as many pairs (at least 10). Each sample is the time from the start of the
 * connect to the reply to its first command, TLS handshake and authentication included.
 *
 * <p>The static-password user is a second user of the same emulator endpoint (its user group, as in
 * a migration to IAM), judged by the real server by its own password; the IAM user's token is
 * checked by the emulator (signature, expiry, scope) before the server lets it in. So the ratio
 * holds everything IAM adds to a connect: on the client the adapter's credentials hook, token
 * cache, TLS check and handlers; on the server side the token's verification. The client, endpoint,
 * TLS settings and protocol (RESP3, {@code HELLO 3 AUTH}) are the same for both.
 *
 * @param pairs pairs measured
 * @param iam IAM connect latencies, µs
 * @param plain static-password connect latencies, µs
 * @param pairedMedianRatio the median over pairs of IAM ÷ static
 * @param failures connects that failed (not in the histograms)
 * @param iamSamples the IAM connect latencies in the order measured, µs
 * @param plainSamples the static-password ones, pair by pair, µs
 */
record ConnectComparison(
    int pairs,
    Histogram iam,
    Histogram plain,
    double pairedMedianRatio,
    long failures,
    List<Long> iamSamples,
    List<Long> plainSamples) {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectComparison.class);

  static ConnectComparison run(Driver driver, int pairs) throws Exception {
    Histogram iam = new Histogram(1, Timeline.HIGHEST_MICROS, 3);
    Histogram plain = new Histogram(1, Timeline.HIGHEST_MICROS, 3);
    List<Double> ratios = new ArrayList<>();
    List<Long> iamSamples = new ArrayList<>();
    List<Long> plainSamples = new ArrayList<>();
    long failed = 0;
    if (pairs == 0) {
      return new ConnectComparison(0, iam, plain, Double.NaN, 0, iamSamples, plainSamples);
    }
    try (Driver.ConnectProbe withIam = driver.iamProbe();
        Driver.ConnectProbe withPassword = driver.staticProbe()) {
      int warmup = Math.max(10, pairs / 10);
      for (int i = 0; i < warmup + pairs; i++) {
        long a;
        long b;
        try {
          if (i % 2 == 0) {
            a = withIam.connectNanos();
            b = withPassword.connectNanos();
          } else {
            b = withPassword.connectNanos();
            a = withIam.connectNanos();
          }
        } catch (Exception e) {
          failed++;
          LOG.warn("connect sample failed: {}", e.toString());
          continue;
        }
        if (i >= warmup) {
          long am = Math.max(1, a / 1000);
          long bm = Math.max(1, b / 1000);
          iam.recordValue(am);
          plain.recordValue(bm);
          iamSamples.add(am);
          plainSamples.add(bm);
          ratios.add((double) a / b);
        }
      }
    }
    ratios.sort(Double::compare);
    double paired = ratios.isEmpty() ? Double.NaN : ratios.get(ratios.size() / 2);
    return new ConnectComparison(pairs, iam, plain, paired, failed, iamSamples, plainSamples);
  }

  /**
   * A 95 % confidence interval of {@link #medianRatio()}: the 2.5th and 97.5th percentiles of the
   * ratio over 2,000 resamplings of the pairs (bootstrap, fixed seed). NaNs without samples.
   */
  double[] medianRatioInterval() {
    int n = iamSamples.size();
    if (n < 10) {
      return new double[] {Double.NaN, Double.NaN};
    }
    Random random = new Random(16);
    int rounds = 2000;
    double[] ratios = new double[rounds];
    long[] a = new long[n];
    long[] b = new long[n];
    for (int r = 0; r < rounds; r++) {
      for (int i = 0; i < n; i++) {
        int k = random.nextInt(n);
        a[i] = iamSamples.get(k);
        b[i] = plainSamples.get(k);
      }
      Arrays.sort(a);
      Arrays.sort(b);
      ratios[r] = (double) a[n / 2] / b[n / 2];
    }
    Arrays.sort(ratios);
    return new double[] {ratios[(int) (rounds * 0.025)], ratios[(int) (rounds * 0.975)]};
  }

  /** Median IAM connect latency over median static-password connect latency. */
  double medianRatio() {
    if (iam.getTotalCount() == 0 || plain.getTotalCount() == 0) {
      return Double.NaN;
    }
    return (double) iam.getValueAtPercentile(50) / plain.getValueAtPercentile(50);
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("pairs", pairs);
    m.put("failures", failures);
    m.put("iam", Waves.percentiles(iam));
    m.put("staticPassword", Waves.percentiles(plain));
    m.put("medianRatio", medianRatio());
    m.put("pairedMedianRatio", pairedMedianRatio);
    double[] ci = medianRatioInterval();
    m.put("medianRatio95", List.of(ci[0], ci[1]));
    m.put("iamMicros", iamSamples);
    m.put("staticPasswordMicros", plainSamples);
    return m;
  }
}
