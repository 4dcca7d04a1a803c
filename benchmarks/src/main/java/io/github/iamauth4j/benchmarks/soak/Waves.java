package io.github.iamauth4j.benchmarks.soak;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

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
 * <p>Noise. One run's p99 of a subset of bins moves with whatever else the machine did in them. To
 * tell a real difference from that, the same ratio is computed for 200 random relabellings of the
 * same bins into groups of the same sizes (a permutation test, fixed seed): {@link #placeboLow()}
 * and {@link #placeboHigh()} are its 2.5th and 97.5th percentiles. A ratio inside that range is
 * what chance alone gives in this run.
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
 * @param placeboLow 2.5th percentile of the ratio between randomly relabelled groups
 * @param placeboHigh 97.5th percentile of the same
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
    double p99RatioWithStalls,
    double placeboLow,
    double placeboHigh) {
  private static final int PLACEBO_ROUNDS = 200;

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
    double[] placebo = placebo(measured, clean);
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
        ratio(raw.wave, raw.steady),
        placebo[0],
        placebo[1]);
  }

  /**
   * The 2.5th and 97.5th percentiles of p99(A) / p99(B) when the wave and steady bins are shuffled
   * into groups A and B of the same sizes.
   */
  private static double[] placebo(List<Timeline.Bin> measured, Split split) {
    List<Integer> bins = new ArrayList<>(split.waveIdx);
    bins.addAll(split.steadyIdx);
    int a = split.waveIdx.size();
    if (a == 0 || split.steadyIdx.isEmpty()) {
      return new double[] {Double.NaN, Double.NaN};
    }
    long[][] values = new long[bins.size()][];
    int total = 0;
    for (int i = 0; i < bins.size(); i++) {
      values[i] = values(measured.get(bins.get(i)).latencies());
      total += values[i].length;
    }
    long[] bufferA = new long[total];
    long[] bufferB = new long[total];
    Random random = new Random(16);
    int[] order = new int[bins.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    double[] ratios = new double[PLACEBO_ROUNDS];
    for (int r = 0; r < PLACEBO_ROUNDS; r++) {
      for (int i = order.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      int na = 0;
      int nb = 0;
      for (int i = 0; i < order.length; i++) {
        long[] v = values[order[i]];
        if (i < a) {
          System.arraycopy(v, 0, bufferA, na, v.length);
          na += v.length;
        } else {
          System.arraycopy(v, 0, bufferB, nb, v.length);
          nb += v.length;
        }
      }
      ratios[r] = (double) p99(bufferA, na) / Math.max(1, p99(bufferB, nb));
    }
    Arrays.sort(ratios);
    return new double[] {
      ratios[(int) (PLACEBO_ROUNDS * 0.025)], ratios[(int) (PLACEBO_ROUNDS * 0.975) - 1]
    };
  }

  /** Every recorded latency of a bin (at the histogram's precision). */
  private static long[] values(Histogram h) {
    long[] v = new long[(int) h.getTotalCount()];
    int i = 0;
    for (HistogramIterationValue x : h.recordedValues()) {
      long value = h.highestEquivalentValue(x.getValueIteratedTo());
      for (long c = 0; c < x.getCountAtValueIteratedTo() && i < v.length; c++) {
        v[i++] = value;
      }
    }
    return v;
  }

  /** The 99th percentile by nearest rank of the first {@code n} values (reordered in place). */
  static long p99(long[] v, int n) {
    if (n == 0) {
      return 0;
    }
    int k = Math.max(0, (int) Math.ceil(0.99 * n) - 1);
    int lo = 0;
    int hi = n - 1;
    Random pivots = new Random(k);
    while (lo < hi) {
      long pivot = v[lo + pivots.nextInt(hi - lo + 1)];
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (v[i] < pivot) {
          i++;
        }
        while (v[j] > pivot) {
          j--;
        }
        if (i <= j) {
          long t = v[i];
          v[i] = v[j];
          v[j] = t;
          i++;
          j--;
        }
      }
      if (k <= j) {
        hi = j;
      } else if (k >= i) {
        lo = i;
      } else {
        return v[k];
      }
    }
    return v[k];
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
    final List<Integer> waveIdx = new ArrayList<>();
    final List<Integer> steadyIdx = new ArrayList<>();
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
        s.waveIdx.add(i);
        s.waveBins++;
        s.waveAuths += counts[i];
      } else if (counts[i] <= s.median && counts[i] < s.threshold) {
        s.steady.add(measured.get(i).latencies());
        s.steadyIdx.add(i);
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
    m.put("placebo95", List.of(placeboLow, placeboHigh));
    return m;
  }
}
