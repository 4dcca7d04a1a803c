package io.github.iamauth4j.benchmarks.soak;

import io.github.iamauth4j.core.IamConfigurationException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code soak}: one run of the soak harness from the command line. */
@Command(
    name = "java -jar benchmarks/target/benchmarks.jar soak",
    mixinStandardHelpOptions = true,
    version = "iamauth4j soak harness (benchmarks module, not published)",
    sortOptions = false,
    usageHelpWidth = 100,
    description = {
      "Drives one adapter against the IAM emulators in front of a real server (redis-server;"
          + " PostgreSQL for hikari), over TLS, with the connection limit and the token life"
          + " compressed, and reports: operations and failures; p50/p99/p99.9 latency in steady"
          + " state and inside re-authentication waves; AUTHs per connection per renewal"
          + " interval; tokens minted; connections opened, closed at the limit, retired;"
          + " rejected AUTHs (WRONGPASS); connect latency with IAM against a static password on"
          + " the same endpoint. A progress line every few seconds, a summary table at the end,"
          + " and a JSON file with everything (--out).",
      "",
      "Re-authentication waves: the run is cut into bins (--bin, 100 ms); a wave bin is one whose"
          + " AUTH count at the emulator is in the top tenth of the measured bins (and at least"
          + " 1); the wave window is each wave bin and the one after it. Steady bins are the"
          + " quieter half (AUTH count at or below the median, outside the wave window). Bins in"
          + " which the JVM or the machine stalled (--stall-threshold) are set apart first: a"
          + " pause delays operations and AUTHs alike, and the delayed AUTHs then land together.",
      "",
      "Needs redis-server 7+ (or PostgreSQL for hikari) installed, as the tests do.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  soak --adapter lettuce --connections 200 --limit 3s --limits 100 --out lettuce.json",
      "  soak --adapter jedis --fault drop-all --limits 20",
      "  soak --adapter valkey --fault short-token-life --limit 6s --limits 5",
      "  soak --adapter hikari --connections 20 --mix query=90,tx=10"
    })
public final class SoakCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--adapter",
      required = true,
      paramLabel = "NAME",
      description = "lettuce, jedis, valkey, redisson or hikari.")
  String adapter = "";

  @Option(
      names = "--connections",
      paramLabel = "N",
      description =
          "Connections the client keeps open (pool size; Lettuce: multiplexed connections),"
              + " up to 1000 for the Redis clients, 200 for hikari. Default: ${DEFAULT-VALUE}.")
  int connections = 50;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Load threads. Default: ${DEFAULT-VALUE}.")
  int threads = 8;

  @Option(
      names = "--rate",
      paramLabel = "OPS",
      description =
          "Operations a second over all threads, each timed from when it was due; 0 for a closed"
              + " loop. Default: ${DEFAULT-VALUE}.")
  int rate = 2000;

  @Option(
      names = "--mix",
      paramLabel = "OP=W,...",
      description =
          "Weights of the operations: set, get, multi (MULTI/EXEC), publish (to the run's"
              + " subscriber), push (to the list the run's consumer takes from with a blocking"
              + " pop); hikari: query, tx. Default: set=40,get=40,multi=8,publish=6,push=6;"
              + " hikari query=90,tx=10.")
  @Nullable String mix;

  @Option(
      names = "--limit",
      paramLabel = "DURATION",
      description =
          "The compressed connection limit (ElastiCache's 12 hours): the emulator closes a"
              + " connection this long after it last authenticated. For hikari, the pool's"
              + " maxLifetime. Default: ${DEFAULT-VALUE}.")
  String limit = "3s";

  @Option(
      names = "--limits",
      paramLabel = "N",
      description = "How long to measure, in limits. Default: ${DEFAULT-VALUE}.")
  double limits = 10;

  @Option(
      names = "--warmup",
      paramLabel = "DURATION",
      description = "Load before measuring (JIT, pools, first tokens). Default: ${DEFAULT-VALUE}.")
  String warmup = "10s";

  @Option(
      names = "--stall-threshold",
      paramLabel = "DURATION",
      description =
          "A bin in which a thread sleeping 1 ms woke up this late or later (a GC pause, or the"
              + " machine busy elsewhere) is left out of the wave comparison, with the bin after"
              + " it. Default: ${DEFAULT-VALUE}.")
  String stallThreshold = "5ms";

  @Option(
      names = "--reauth-interval",
      paramLabel = "DURATION",
      description =
          "Re-authentication interval of the Redis adapters. Default: a third of the limit.")
  @Nullable String reauthInterval;

  @Option(
      names = "--reauth-jitter",
      paramLabel = "DURATION",
      description = "Its jitter. Default: a sixth of the interval (as 10 minutes of 1 hour).")
  @Nullable String reauthJitter;

  @Option(
      names = "--max-age",
      paramLabel = "DURATION",
      description = "Maximum connection age, where a client cannot renew. Default: half the limit.")
  @Nullable String maxAge;

  @Option(
      names = "--token-life",
      paramLabel = "DURATION",
      description =
          "Tokens' signed expiry (whole seconds); each is replaced about half-way. Default: 4"
              + " limits (1s with --fault short-token-life).")
  @Nullable String tokenLife;

  @Option(
      names = "--fault",
      paramLabel = "FAULT",
      description =
          "none; drop-all (the emulator closes every connection at once); refuse-new-5s (closes"
              + " every connection and refuses new ones for 5 s); credential-outage (AWS"
              + " credentials fail for 3/4 of the token's life, from right after a token was"
              + " issued); short-token-life (tokens live 2 s, less than the renewal interval of 2.5"
              + " s, for the whole run; needs --limit 5s or more). Default: ${DEFAULT-VALUE}.")
  String fault = "none";

  @Option(
      names = "--fault-at",
      paramLabel = "FRACTION",
      description =
          "When the fault starts, as a fraction of the measured time. Default: ${DEFAULT-VALUE}.")
  double faultAt = 0.4;

  @Option(
      names = "--connect-samples",
      paramLabel = "N",
      description =
          "Connects of each kind (IAM, static password), interleaved, after the load; 0 for"
              + " none. Default: ${DEFAULT-VALUE}.")
  int connectSamples = 200;

  @Option(
      names = "--static",
      paramLabel = "KIND",
      description =
          "The connect comparison's other side: password (a password user of the same endpoint,"
              + " judged by the server: everything IAM adds) or token (the IAM user with a token"
              + " signed once and sent as a fixed password, without the adapter: what the adapter"
              + " adds on the client). Default: ${DEFAULT-VALUE}.")
  String staticKind = "password";

  @Option(
      names = "--bin",
      paramLabel = "DURATION",
      description = "Width of the time bins waves are found in. Default: ${DEFAULT-VALUE}.")
  String bin = "100ms";

  @Option(
      names = "--progress",
      paramLabel = "DURATION",
      description = "How often to print a progress line; 0 for never. Default: ${DEFAULT-VALUE}.")
  String progress = "5s";

  @Option(names = "--out", paramLabel = "FILE", description = "Write the result as JSON to FILE.")
  @Nullable Path outFile;

  @Option(
      names = "--label",
      paramLabel = "TEXT",
      description = "A label stored in the JSON result (e.g. the commit measured).")
  @Nullable String label;

  @Option(names = "--strict", description = "Exit with status 3 when a target is missed.")
  boolean strict;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    SoakSettings settings;
    try {
      settings = settings();
    } catch (IamConfigurationException | IllegalArgumentException e) {
      err.println(e.getMessage());
      err.flush();
      return 2;
    }
    SoakResult result;
    try (Backends backends = new Backends(Math.max(100, settings.connections() + 30))) {
      result = new SoakRun(settings, backends, System.err).run();
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println();
    out.print(result.table());
    out.flush();
    Path file = outFile;
    if (file != null) {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, result.toJson(), StandardCharsets.UTF_8);
      out.println("  result written to " + file);
      out.flush();
    }
    boolean missed = result.checks().stream().anyMatch(c -> Boolean.FALSE.equals(c.met()));
    return strict && missed ? 3 : 0;
  }

  SoakSettings settings() throws IOException {
    SoakSettings.Builder b =
        SoakSettings.builder(Adapter.parse(adapter))
            .connections(connections)
            .threads(threads)
            .rate(rate)
            .limit(duration("limit", limit))
            .limits(limits)
            .warmup(duration("warmup", warmup))
            .stallThreshold(duration("stall-threshold", stallThreshold))
            .reauthInterval(optionalDuration("reauth-interval", reauthInterval))
            .reauthJitter(optionalDuration("reauth-jitter", reauthJitter))
            .maxAge(optionalDuration("max-age", maxAge))
            .tokenLife(optionalDuration("token-life", tokenLife))
            .fault(Fault.parse(fault))
            .faultAt(faultAt)
            .connectSamples(connectSamples)
            .staticToken(staticKind(staticKind))
            .bin(duration("bin", bin))
            .progressEvery(duration("progress", progress))
            .output(outFile)
            .label(label);
    if (mix != null) {
      b.mix(mix(mix));
    }
    return b.build();
  }

  private static boolean staticKind(String kind) {
    switch (kind.trim().toLowerCase(Locale.ROOT)) {
      case "password":
        return false;
      case "token":
        return true;
      default:
        throw new IllegalArgumentException("static: \"" + kind + "\" is not password or token");
    }
  }

  static Map<Op, Integer> mix(String text) {
    Map<Op, Integer> m = new EnumMap<>(Op.class);
    for (String part : text.split(",")) {
      String[] kv = part.split("=", 2);
      if (kv.length != 2) {
        throw new IllegalArgumentException(
            "mix: \"" + part + "\" is not OP=WEIGHT (expected e.g. set=40,get=40,multi=20)");
      }
      try {
        m.put(Op.parse(kv[0]), Integer.parseInt(kv[1].trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "mix: the weight of " + kv[0].trim() + " is not a whole number: " + kv[1]);
      }
    }
    return m;
  }

  private static @Nullable Duration optionalDuration(String name, @Nullable String text) {
    return text == null ? null : duration(name, text);
  }

  private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

  /** {@code 250ms}, {@code 3s}, {@code 1.5s}, {@code 2m}, {@code 1h}, {@code 0}, or ISO-8601. */
  static Duration duration(String name, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = SIMPLE.matcher(t);
    if (m.matches()) {
      double v = Double.parseDouble(m.group(1));
      double millis =
          switch (m.group(2)) {
            case "ms" -> v;
            case "s" -> v * 1000;
            case "m" -> v * 60_000;
            default -> v * 3_600_000;
          };
      return Duration.ofMillis(Math.round(millis));
    }
    try {
      return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          name + ": \"" + text + "\" is not a duration (expected e.g. 250ms, 3s, 2m, PT3S)");
    }
  }
}
