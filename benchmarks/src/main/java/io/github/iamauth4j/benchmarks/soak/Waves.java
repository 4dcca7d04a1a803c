package io.github.iamauth4j.benchmarks.soak;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The measured bins split by how many {@code AUTH}s the emulator saw in them, to compare latency
 * inside re-authentication waves with latency in steady state.
 *
 * <p>Definition. Each bin (100 ms by default) counts the {@code AUTH}s the emulator judged in it:
 * re-authentications of live connections and the first {@code AUTH} of new connections, accepted or
 * not. A <em>wave bin</em> is a bin whose count is in the top tenth of the measured bins (at or
 * above their 90th percentile, and at least 1); the <em>wave window</em> is every wave bin and the
 * bin right after it (an operation held up by an {@code AUTH} finishes after it). A <em>steady
 * bin</em> is a bin outside the wave window whose count is at or below the median and below the
 * wave threshold: the quieter half of the run. Latencies are those of the operations that finished
 * in the bins. With renewals jittered per connection, {@code AUTH}s are spread out and the two sets
 * differ by a few {@code AUTH}s per bin; a pool whose connections renewed together would show a
 * wave bin with most of its connections in it.
 *
 * <p>Stalls. A pause of the whole JVM (GC) or of the machine (other processes on a shared box)
 * delays operations and {@code AUTH}s alike, and the delayed {@code AUTH}s are then judged together
 * right after it: the pause makes a "wave" and the latency at once, a coincidence rather than a
 * cause. Bins in which the hiccup meter woke up {@code stallMicros} late or more, and the bin after
 * each, are therefore set apart as <em>stalled</em> and left out of the wave threshold, the wave
 * window and the steady bins; their latencies are still in {@code all} and in {@code stalled}. The
 * ratio over every bin, stalls included, is kept as {@link #p99RatioWithStalls()}.
 *
 * @param bins measured bins
 * @param stalledBins bins set apart as stalled
 * @param stallMicros the stall threshold
 * @param waveBins bins in the wave window
 * @param steadyBins steady bins
 * @param threshold the {@code AUTH} count from which a bin is a wave bin
 * @param median the median {@code AUTH} count per bin
 * @param maxAuths the largest {@code AUTH} count in a bin
 * @param authsPerWaveBin mean {@code AUTH}s per bin in the wave window
 * @param authsPerSteadyBin mean {@code AUTH}s per steady bin
 * @param all the latencies of every measured bin
 * @param wave the latencies in the wave window
 * @param steady the latencies in steady bins
 * @param stalled the latencies in stalled bins
 * @param p99RatioWithStalls p99 in waves over p99 in steady state, with stalled bins counted like
 *     the others
 */
record Waves(
    int bins,
    int stalledBins,
    long stallMicros,
    int waveBins,
    int steadyBins,
    long threshold,
    long median,
    long maxAuths,
    double authsPerWaveBin,
    double authsPerSteadyBin,
    Histogram all,
    Histogram wave,
    Histogram steady,
    Histogram stalled,
    double p99RatioWithStalls) {

  /**
   * Splits the measured bins.
   *
   * @param measured the bins
   * @param stallMicros a bin whose hiccup reached this is stalled; {@link Long#MAX_VALUE} for none
   */
  static Waves of(List<Timeline.Bin> measured, long stallMicros) {
    int n = measured.size();
    boolean[] stalled = new boolean[n];
    for (int i = 0; i < n; i++) {
      if (measured.get(i).stallMicros() >= stallMicros) {
        stalled[i] = true;
        if (i + 1 < n) {
          stalled[i + 1] = true;
        }
      }
    }
    Split clean = split(measured, stalled);
    Split raw = split(measured, new boolean[n]);
    Histogram all = empty();
    Histogram inStalls = empty();
    int stalledBins = 0;
    for (int i = 0; i < n; i++) {
      Histogram h = measured.get(i).latencies();
      all.add(h);
      if (stalled[i]) {
        inStalls.add(h);
        stalledBins++;
      }
    }
    return new Waves(
        n,
        stalledBins,
        stallMicros,
        clean.waveBins,
        clean.steadyBins,
        clean.threshold,
        clean.median,
        clean.max,
        clean.waveBins == 0 ? Double.NaN : (double) clean.waveAuths / clean.waveBins,
        clean.steadyBins == 0 ? Double.NaN : (double) clean.steadyAuths / clean.steadyBins,
        all,
        clean.wave,
        clean.steady,
        inStalls,
        ratio(raw.wave, raw.steady));
  }

  private static final class Split {
    int waveBins;
    int steadyBins;
    long threshold;
    long median;
    long max;
    long waveAuths;
    long steadyAuths;
    final Histogram wave = empty();
    final Histogram steady = empty();
  }

  /** Wave window and steady bins among the bins not {@code excluded}. */
  private static Split split(List<Timeline.Bin> measured, boolean[] excluded) {
    int n = measured.size();
    Split s = new Split();
    long[] counts = new long[n];
    int kept = 0;
    for (int i = 0; i < n; i++) {
      counts[i] = measured.get(i).auths();
      if (!excluded[i]) {
        kept++;
      }
    }
    long[] sorted = new long[kept];
    for (int i = 0, j = 0; i < n; i++) {
      if (!excluded[i]) {
        sorted[j++] = counts[i];
      }
    }
    Arrays.sort(sorted);
    long p90 = kept == 0 ? 0 : sorted[Math.max(0, (int) Math.ceil(0.9 * kept) - 1)];
    s.median = kept == 0 ? 0 : sorted[kept / 2];
    s.max = kept == 0 ? 0 : sorted[kept - 1];
    s.threshold = Math.max(1, p90);
    boolean[] wave = new boolean[n];
    for (int i = 0; i < n; i++) {
      if (!excluded[i] && counts[i] >= s.threshold) {
        wave[i] = true;
        if (i + 1 < n && !excluded[i + 1]) {
          wave[i + 1] = true;
        }
      }
    }
    for (int i = 0; i < n; i++) {
      if (excluded[i]) {
        continue;
      }
      if (wave[i]) {
        s.wave.add(measured.get(i).latencies());
        s.waveBins++;
        s.waveAuths += counts[i];
      } else if (counts[i] <= s.median && counts[i] < s.threshold) {
        s.steady.add(measured.get(i).latencies());
        s.steadyBins++;
        s.steadyAuths += counts[i];
      }
    }
    return s;
  }

  private static double ratio(Histogram wave, Histogram steady) {
    if (wave.getTotalCount() == 0 || steady.getTotalCount() == 0) {
      return Double.NaN;
    }
    return (double) wave.getValueAtPercentile(99) / steady.getValueAtPercentile(99);
  }

  private static Histogram empty() {
    return new Histogram(1, Timeline.HIGHEST_MICROS, 3);
  }

  /**
   * p99 inside waves over p99 in steady state, stalled bins set apart; NaN when either has no
   * operations.
   */
  double p99Ratio() {
    return ratio(wave, steady);
  }

  static Map<String, Object> percentiles(Histogram h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", h.getTotalCount());
    if (h.getTotalCount() > 0) {
      m.put("p50Micros", h.getValueAtPercentile(50));
      m.put("p90Micros", h.getValueAtPercentile(90));
      m.put("p99Micros", h.getValueAtPercentile(99));
      m.put("p999Micros", h.getValueAtPercentile(99.9));
      m.put("maxMicros", h.getMaxValue());
      m.put("meanMicros", h.getMean());
    }
    return m;
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("bins", bins);
    m.put("stallThresholdMicros", stallMicros);
    m.put("stalledBins", stalledBins);
    m.put("waveWindowBins", waveBins);
    m.put("steadyBins", steadyBins);
    m.put("waveThresholdAuthsPerBin", threshold);
    m.put("medianAuthsPerBin", median);
    m.put("maxAuthsPerBin", maxAuths);
    m.put("meanAuthsPerWaveBin", authsPerWaveBin);
    m.put("meanAuthsPerSteadyBin", authsPerSteadyBin);
    m.put("all", percentiles(all));
    m.put("wave", percentiles(wave));
    m.put("steady", percentiles(steady));
    m.put("stalled", percentiles(stalled));
    m.put("p99WaveOverSteady", p99Ratio());
    m.put("p99WaveOverSteadyWithStalls", p99RatioWithStalls);
    return m;
  }
}
