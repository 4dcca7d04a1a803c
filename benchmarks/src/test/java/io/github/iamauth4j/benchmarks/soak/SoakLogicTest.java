package io.github.iamauth4j.benchmarks.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.iamauth4j.core.IamConfigurationException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The harness's pure logic: settings, parsing, wave classification, failure kinds, JSON. */
class SoakLogicTest {

  @Test
  void defaultsFollowTheLimitInTheLibrarysProportions() {
    SoakSettings s = SoakSettings.builder(Adapter.LETTUCE).limit(Duration.ofSeconds(3)).build();

    assertThat(s.policy().reauthenticationInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.policy().reauthenticationJitter()).isEqualTo(Duration.ofNanos(166_666_666));
    assertThat(s.policy().maxConnectionAge()).isEqualTo(Duration.ofMillis(1500));
    assertThat(s.tokenLife()).isEqualTo(Duration.ofSeconds(12));
    assertThat(s.tokenSafetyMargin()).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.tokenPeriod()).isEqualTo(Duration.ofSeconds(7));
    assertThat(s.expectedAuthsPerInterval()).isBetween(1.09, 1.10);
    assertThat(s.mix()).containsOnlyKeys(Op.SET, Op.GET, Op.MULTI, Op.PUBLISH, Op.PUSH);
    assertThat(s.measured()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aShortTokenLifeOutlivesNoRenewalInterval() {
    SoakSettings s =
        SoakSettings.builder(Adapter.JEDIS)
            .fault(Fault.SHORT_TOKEN_LIFE)
            .limit(Duration.ofSeconds(6))
            .build();

    assertThat(s.tokenLife()).isEqualTo(Duration.ofSeconds(2));
    Duration shortest =
        s.policy().reauthenticationInterval().minus(s.policy().reauthenticationJitter());
    assertThat(shortest).isGreaterThan(s.tokenLife());
    assertThat(
            catchThrowableOfType(
                    IamConfigurationException.class,
                    () -> SoakSettings.builder(Adapter.JEDIS).fault(Fault.SHORT_TOKEN_LIFE).build())
                .problems())
        .singleElement()
        .asString()
        .startsWith("limit: PT3S leaves no second renewal of every PT2.5S")
        .endsWith("e.g. --limit 5s)");
  }

  @Test
  void hikariRenewsAtTheLimitAndHasItsOwnOperations() {
    SoakSettings s = SoakSettings.builder(Adapter.HIKARI).build();

    assertThat(s.renewalInterval()).isEqualTo(s.limit());
    assertThat(s.expectedAuthsPerInterval()).isEqualTo(1.0);
    assertThat(s.mix()).containsOnlyKeys(Op.QUERY, Op.TX);
  }

  @Test
  void everyBadSettingIsReportedTogether() {
    IamConfigurationException e =
        catchThrowableOfType(
            IamConfigurationException.class,
            () ->
                SoakSettings.builder(Adapter.HIKARI)
                    .connections(5000)
                    .threads(0)
                    .mix(Map.of(Op.GET, 10))
                    .limit(Duration.ofMillis(500))
                    .faultAt(2)
                    .build());

    assertThat(e.problems())
        .anySatisfy(p -> assertThat(p).startsWith("connections: 5000 is out of range"))
        .anySatisfy(p -> assertThat(p).startsWith("threads: 0"))
        .anySatisfy(p -> assertThat(p).startsWith("mix: get is not an operation of hikari"))
        .anySatisfy(p -> assertThat(p).startsWith("limit: PT0.5S"))
        .anySatisfy(p -> assertThat(p).startsWith("faultAt: 2.0"));
  }

  @Test
  void lettuceNeedsAConnectionPerThread() {
    IamConfigurationException e =
        catchThrowableOfType(
            IamConfigurationException.class,
            () -> SoakSettings.builder(Adapter.LETTUCE).connections(4).threads(8).build());

    assertThat(e.problems()).singleElement().asString().startsWith("threads: 8 is more than");
  }

  @Test
  void durationsAndMixesParseAsWritten() {
    assertThat(SoakCommand.duration("limit", "3s")).isEqualTo(Duration.ofSeconds(3));
    assertThat(SoakCommand.duration("limit", "1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(SoakCommand.duration("bin", "250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(SoakCommand.duration("limit", "2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(SoakCommand.duration("limit", "PT12S")).isEqualTo(Duration.ofSeconds(12));
    assertThat(SoakCommand.duration("progress", "0")).isEqualTo(Duration.ZERO);
    assertThat(
            catchThrowableOfType(
                    IllegalArgumentException.class, () -> SoakCommand.duration("limit", "soon"))
                .getMessage())
        .isEqualTo("limit: \"soon\" is not a duration (expected e.g. 250ms, 3s, 2m, PT3S)");

    assertThat(SoakCommand.mix("set=1, get=2,multi=3"))
        .containsEntry(Op.SET, 1)
        .containsEntry(Op.GET, 2)
        .containsEntry(Op.MULTI, 3);
    assertThat(
            catchThrowableOfType(IllegalArgumentException.class, () -> SoakCommand.mix("jump=1")))
        .hasMessageStartingWith("mix: \"jump\" is not an operation");
  }

  @Test
  void theCommandLineBuildsTheSettingsAndRefusesBadOnesWithStatus2() throws Exception {
    SoakCommand command = new SoakCommand();
    new CommandLine(command)
        .parseArgs(
            "--adapter",
            "redisson",
            "--connections",
            "1000",
            "--limit",
            "4s",
            "--limits",
            "100",
            "--fault",
            "refuse-new-5s",
            "--mix",
            "get=1");
    SoakSettings s = command.settings();
    assertThat(s.adapter()).isEqualTo(Adapter.REDISSON);
    assertThat(s.connections()).isEqualTo(1000);
    assertThat(s.measured()).isEqualTo(Duration.ofSeconds(400));
    assertThat(s.fault()).isEqualTo(Fault.REFUSE_NEW_5S);
    assertThat(s.mix()).containsOnlyKeys(Op.GET);

    StringWriter err = new StringWriter();
    int status =
        new CommandLine(new SoakCommand())
            .setErr(new PrintWriter(err))
            .execute("--adapter", "hikari", "--connections", "500");
    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("connections: 500 is out of range (expected 1 to 200");
  }

  @Test
  void theHelpNamesEveryAdapterAndFault() {
    StringWriter out = new StringWriter();
    int status = new CommandLine(new SoakCommand()).setOut(new PrintWriter(out)).execute("--help");

    assertThat(status).isZero();
    assertThat(out.toString())
        .contains("lettuce, jedis, valkey, redisson or hikari")
        .contains("drop-all", "refuse-new-5s", "credential-outage", "short-token-life")
        .contains("--connections", "--threads", "--mix", "--limit", "--limits", "--out");
  }

  @Test
  void theBusiestTenthOfBinsAndTheNextOneAreTheWaveWindowAndTheQuieterHalfIsSteady() {
    // Ten bins: AUTH counts 0..9 shuffled; latencies of 100 µs × (count + 1).
    List<Timeline.Bin> bins = new ArrayList<>();
    long[] auths = {3, 0, 9, 1, 2, 4, 5, 6, 7, 8};
    for (int i = 0; i < auths.length; i++) {
      bins.add(bin(i, auths[i], 0, 100 * (auths[i] + 1)));
    }

    Waves w = Waves.of(bins, Long.MAX_VALUE);

    // The 90th percentile by nearest rank (the 9th of 10) is 8: bins 2 (9 AUTHs) and 9 (8), and
    // bin 3 after bin 2.
    assertThat(w.threshold()).isEqualTo(8);
    assertThat(w.waveBins()).isEqualTo(3);
    assertThat(w.wave().getMaxValue()).isBetween(999L, 1001L);
    // Median (sorted[5]) is 5: bins with 0, 1, 2, 3, 4, 5 AUTHs, minus bin 3 (in the window).
    assertThat(w.median()).isEqualTo(5);
    assertThat(w.steadyBins()).isEqualTo(5);
    assertThat(w.steady().getMaxValue()).isBetween(599L, 601L);
    assertThat(w.all().getTotalCount()).isEqualTo(10);
    assertThat(w.stalledBins()).isZero();
  }

  @Test
  void aStalledBinAndTheNextAreSetApartFromWavesAndSteadyState() {
    List<Timeline.Bin> bins = new ArrayList<>();
    // A stall in bin 1 makes its AUTHs land in bin 2 with the slow operations.
    bins.add(bin(0, 2, 0, 300));
    bins.add(bin(1, 3, 40_000, 40_000));
    bins.add(bin(2, 20, 0, 30_000));
    for (int i = 3; i < 20; i++) {
      bins.add(bin(i, i % 4, 100, 300));
    }

    Waves clean = Waves.of(bins, 5_000);
    Waves raw = Waves.of(bins, Long.MAX_VALUE);

    assertThat(clean.stalledBins()).isEqualTo(2);
    assertThat(clean.stalled().getMaxValue()).isGreaterThanOrEqualTo(39_000);
    assertThat(clean.wave().getMaxValue()).isLessThan(1000);
    assertThat(raw.wave().getMaxValue()).isGreaterThanOrEqualTo(29_000);
    assertThat(clean.p99Ratio()).isLessThan(2);
    assertThat(clean.p99RatioWithStalls()).isGreaterThan(50);
  }

  @Test
  void p99IsTheValueAtTheNearestRank() {
    long[] v = new long[1000];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i * 7919L) % 1000 + 1; // 1..1000, shuffled
    }
    assertThat(Waves.p99(v, 1000)).isEqualTo(990);
    assertThat(Waves.p99(new long[] {5}, 1)).isEqualTo(5);
    assertThat(Waves.p99(new long[] {3, 3, 3, 3}, 4)).isEqualTo(3);
  }

  @Test
  void aDifferenceByChanceStaysInsideThePlaceboRangeAndARealOneLeavesIt() {
    Random random = new Random(1);
    List<Timeline.Bin> same = new ArrayList<>();
    List<Timeline.Bin> slowerInWaves = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      long auths = random.nextInt(20);
      long[] latencies = new long[100];
      for (int k = 0; k < latencies.length; k++) {
        latencies[k] = 200 + (long) (random.nextDouble() * random.nextDouble() * 5000);
      }
      same.add(bin(i, auths, 0, latencies));
      long[] slowed = latencies.clone();
      if (auths >= 18) {
        for (int k = 0; k < slowed.length; k++) {
          slowed[k] *= 2;
        }
      }
      slowerInWaves.add(bin(i, auths, 0, slowed));
    }

    Waves chance = Waves.of(same, Long.MAX_VALUE);
    Waves real = Waves.of(slowerInWaves, Long.MAX_VALUE);

    assertThat(chance.placeboLow()).isLessThan(1).isPositive();
    assertThat(chance.placeboHigh()).isGreaterThan(1).isLessThan(1.5);
    assertThat(chance.p99Ratio()).isBetween(chance.placeboLow(), chance.placeboHigh());
    assertThat(real.p99Ratio()).isGreaterThan(real.placeboHigh());
  }

  private static Timeline.Bin bin(int i, long auths, long stallMicros, long... latenciesMicros) {
    Histogram h = new Histogram(1, Timeline.HIGHEST_MICROS, 3);
    for (long l : latenciesMicros) {
      h.recordValue(l);
    }
    ByteBuffer b = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int n = h.encodeIntoCompressedByteBuffer(b);
    byte[] bytes = new byte[n];
    b.flip();
    b.get(bytes);
    long start = i * 100_000_000L;
    return new Timeline.Bin(
        start,
        start + 100_000_000L,
        Timeline.Phase.MEASURED,
        auths,
        auths,
        0,
        0,
        0,
        10,
        0,
        latenciesMicros.length,
        stallMicros,
        bytes);
  }

  @Test
  void failuresAreSortedByWhatTheServerOrTheClientSaid() {
    assertThat(
            Failures.classify(
                new RuntimeException(
                    "wrapped",
                    new IllegalStateException(
                        "WRONGPASS invalid username-password pair or user is disabled."))))
        .isEqualTo(Failures.Kind.WRONGPASS);
    assertThat(Failures.classify(new RuntimeException("FATAL: PAM authentication failed for user")))
        .isEqualTo(Failures.Kind.WRONGPASS);
    assertThat(Failures.classify(new RuntimeException("NOAUTH Authentication required.")))
        .isEqualTo(Failures.Kind.NOAUTH);
    assertThat(Failures.classify(new RuntimeException("x", new SocketException("reset"))))
        .isEqualTo(Failures.Kind.CONNECTION);
    assertThat(Failures.classify(new IOException("broken pipe")))
        .isEqualTo(Failures.Kind.CONNECTION);
    assertThat(Failures.classify(new Failures.WrongReply("GET returned x")))
        .isEqualTo(Failures.Kind.WRONG_REPLY);
    assertThat(Failures.classify(new IllegalStateException("Command timed out after 1 minute")))
        .isEqualTo(Failures.Kind.TIMEOUT);
    assertThat(Failures.classify(new IllegalStateException("odd"))).isEqualTo(Failures.Kind.OTHER);

    Failures f = new Failures();
    f.record("get", new SocketException("Connection reset"), 10);
    f.record("get", new SocketException("Connection reset"), 5);
    f.record("set", new IllegalStateException("WRONGPASS x"), 20);
    assertThat(f.total()).isEqualTo(3);
    assertThat(f.count(Failures.Kind.CONNECTION)).isEqualTo(2);
    assertThat(f.firstNanos()).isEqualTo(5);
    assertThat(f.lastNanos()).isEqualTo(20);
    assertThat(f.examples()).hasSize(2);
  }

  @Test
  void jsonIsWrittenWithEscapesAndNumbersAsNumbers() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", "a \"quoted\"\nline\u0001");
    m.put("count", 3L);
    m.put("ratio", 1.25);
    m.put("nan", Double.NaN);
    m.put("limit", Duration.ofSeconds(3));
    m.put("list", List.of(1, 2));
    m.put("nested", Map.of("ok", true));
    m.put("none", null);

    assertThat(Json.write(m))
        .isEqualTo(
            "{\n"
                + "  \"name\": \"a \\\"quoted\\\"\\nline\\u0001\",\n"
                + "  \"count\": 3,\n"
                + "  \"ratio\": 1.25,\n"
                + "  \"nan\": null,\n"
                + "  \"limit\": 3000,\n"
                + "  \"list\": [1, 2],\n"
                + "  \"nested\": {\n"
                + "    \"ok\": true\n"
                + "  },\n"
                + "  \"none\": null\n"
                + "}\n");
  }
}
