package io.github.iamauth4j.benchmarks.soak;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.RenewalPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Everything one soak run needs, checked together: which adapter, how many connections and load
 * threads, the rate and mix of operations, the compressed connection limit and token life, the
 * renewal policy, the fault, and what to measure. Built by {@link #builder(Adapter)}; every unset
 * value is derived from the limit in the same proportions as the library's defaults at 12 hours.
 */
public final class SoakSettings {
  /** The largest number of connections for a Redis client. */
  public static final int MAX_REDIS_CONNECTIONS = 1000;

  /** The largest HikariCP pool (the backend PostgreSQL is started with room for it). */
  public static final int MAX_JDBC_CONNECTIONS = 200;

  private final Adapter adapter;
  private final int connections;
  private final int threads;
  private final int rate;
  private final Map<Op, Integer> mix;
  private final Duration limit;
  private final double limits;
  private final Duration warmup;
  private final Duration stallThreshold;
  private final RenewalPolicy policy;
  private final Duration tokenLife;
  private final Duration tokenRefreshLead;
  private final Duration tokenSafetyMargin;
  private final Fault fault;
  private final double faultAt;
  private final int connectSamples;
  private final boolean staticToken;
  private final Duration bin;
  private final Duration progressEvery;
  private final @Nullable Path output;
  private final @Nullable String label;

  private SoakSettings(Builder b, RenewalPolicy policy, Map<Op, Integer> mix, TokenTimes t) {
    this.adapter = b.adapter;
    this.connections = b.connections;
    this.threads = b.threads;
    this.rate = b.rate;
    this.mix = Collections.unmodifiableMap(new EnumMap<>(mix));
    this.limit = b.limit;
    this.limits = b.limits;
    this.warmup = b.warmup;
    this.stallThreshold = b.stallThreshold;
    this.policy = policy;
    this.tokenLife = t.life;
    this.tokenRefreshLead = t.lead;
    this.tokenSafetyMargin = t.margin;
    this.fault = b.fault;
    this.faultAt = b.faultAt;
    this.connectSamples = b.connectSamples;
    this.staticToken = b.staticToken;
    this.bin = b.bin;
    this.progressEvery = b.progressEvery;
    this.output = b.output;
    this.label = b.label;
  }

  /**
   * A builder with the defaults: 50 connections, 8 threads, 2,000 operations a second, a 3-second
   * limit, 10 limits measured after 10 seconds of warm-up, no fault, 200 connect samples of each
   * kind.
   *
   * @param adapter the adapter to drive
   */
  public static Builder builder(Adapter adapter) {
    return new Builder(adapter);
  }

  /** The adapter driven. */
  public Adapter adapter() {
    return adapter;
  }

  /** Connections the client keeps open (pool size; Lettuce: multiplexed connections). */
  public int connections() {
    return connections;
  }

  /** Load threads. */
  public int threads() {
    return threads;
  }

  /** Operations a second over all threads; 0 for as fast as they can (closed loop). */
  public int rate() {
    return rate;
  }

  /** Relative weights of the operations. */
  public Map<Op, Integer> mix() {
    return mix;
  }

  /**
   * The compressed connection limit: the emulator closes an IAM connection this long after it last
   * authenticated (ElastiCache's 12 hours). For HikariCP, which RDS does not cut, the pool's {@code
   * maxLifetime}.
   */
  public Duration limit() {
    return limit;
  }

  /** How long the measurement lasts, in limits. */
  public double limits() {
    return limits;
  }

  /** The measured time. */
  public Duration measured() {
    return Duration.ofNanos((long) (limit.toNanos() * limits));
  }

  /** The warm-up before measuring. */
  public Duration warmup() {
    return warmup;
  }

  /**
   * How late the hiccup meter must wake up for a bin to count as stalled (a GC pause, or the
   * machine busy elsewhere), and be left out of the wave comparison.
   */
  public Duration stallThreshold() {
    return stallThreshold;
  }

  /** The renewal policy given to the Redis adapters. */
  public RenewalPolicy policy() {
    return policy;
  }

  /**
   * How often a connection renews: the re-authentication interval for the Redis adapters, {@code
   * maxLifetime} (the limit) for HikariCP.
   */
  public Duration renewalInterval() {
    return adapter == Adapter.HIKARI ? limit : policy.reauthenticationInterval();
  }

  /**
   * {@code AUTH}s per connection per renewal interval that the policy itself gives: each renewal
   * comes after the interval less a uniform jitter, so on average after {@code interval - jitter /
   * 2}. 1 for HikariCP, which retires connections at exactly {@code maxLifetime} below 10 seconds.
   */
  public double expectedAuthsPerInterval() {
    if (adapter == Adapter.HIKARI) {
      return 1.0;
    }
    double interval = policy.reauthenticationInterval().toNanos();
    return interval / (interval - policy.reauthenticationJitter().toNanos() / 2.0);
  }

  /** The signed expiry of the tokens. */
  public Duration tokenLife() {
    return tokenLife;
  }

  /** How long before a token stops being usable the provider replaces it. */
  public Duration tokenRefreshLead() {
    return tokenRefreshLead;
  }

  /** The least usable life a token must have to be handed out. */
  public Duration tokenSafetyMargin() {
    return tokenSafetyMargin;
  }

  /** How often the provider signs a token: its life less the refresh lead. */
  public Duration tokenPeriod() {
    return tokenLife.minus(tokenRefreshLead);
  }

  /** The fault. */
  public Fault fault() {
    return fault;
  }

  /** When the fault starts, as a fraction of the measured time. */
  public double faultAt() {
    return faultAt;
  }

  /** Connect samples of each kind (IAM, static password), interleaved. */
  public int connectSamples() {
    return connectSamples;
  }

  /**
   * Whether the connect comparison's other side sends a token signed once as a fixed password for
   * the IAM user (isolating what the adapter adds on the client), rather than a password user's own
   * password (everything IAM adds, the server's token check included).
   */
  public boolean staticToken() {
    return staticToken;
  }

  /** The width of the time bins that waves are found in. */
  public Duration bin() {
    return bin;
  }

  /** How often a progress line is printed; zero for never. */
  public Duration progressEvery() {
    return progressEvery;
  }

  /** Where the JSON result goes, or null for nowhere. */
  public @Nullable Path output() {
    return output;
  }

  /** A free-text label stored with the result, or null. */
  public @Nullable String label() {
    return label;
  }

  /** A one-line description, e.g. for the summary's title. */
  public String describe() {
    return adapter.cliName()
        + ", "
        + connections
        + " connections, "
        + threads
        + " threads, "
        + (rate == 0 ? "closed loop" : rate + " ops/s")
        + ", limit "
        + Format.duration(limit)
        + " x "
        + Format.number(limits)
        + " ("
        + Format.duration(measured())
        + "), renewal every "
        + Format.duration(renewalInterval())
        + ", tokens live "
        + Format.duration(tokenLife)
        + ", fault "
        + fault.cliName();
  }

  private record TokenTimes(Duration life, Duration lead, Duration margin) {}

  /** Settings of a soak run; {@link #build()} checks them all together. */
  public static final class Builder {
    private final Adapter adapter;
    private int connections = 50;
    private int threads = 8;
    private int rate = 2000;
    private @Nullable Map<Op, Integer> mix;
    private Duration limit = Duration.ofSeconds(3);
    private double limits = 10;
    private Duration warmup = Duration.ofSeconds(10);
    private Duration stallThreshold = Duration.ofMillis(5);
    private @Nullable Duration reauthInterval;
    private @Nullable Duration reauthJitter;
    private @Nullable Duration maxAge;
    private @Nullable Duration maxAgeJitter;
    private @Nullable Duration tokenLife;
    private Fault fault = Fault.NONE;
    private double faultAt = 0.4;
    private int connectSamples = 200;
    private boolean staticToken;
    private Duration bin = Duration.ofMillis(100);
    private Duration progressEvery = Duration.ofSeconds(5);
    private @Nullable Path output;
    private @Nullable String label;

    private Builder(Adapter adapter) {
      this.adapter = Objects.requireNonNull(adapter, "adapter");
    }

    /**
     * @param n connections the client keeps open, 1 to 1,000 (HikariCP: 200)
     */
    public Builder connections(int n) {
      this.connections = n;
      return this;
    }

    /**
     * @param n load threads, 1 to 256
     */
    public Builder threads(int n) {
      this.threads = n;
      return this;
    }

    /**
     * @param opsPerSecond operations a second over all threads; 0 for a closed loop
     */
    public Builder rate(int opsPerSecond) {
      this.rate = opsPerSecond;
      return this;
    }

    /**
     * @param weights relative weights of the operations; default set 40, get 40, multi 8, publish
     *     6, push 6 (HikariCP: query 90, tx 10)
     */
    public Builder mix(Map<Op, Integer> weights) {
      this.mix = new EnumMap<>(weights);
      return this;
    }

    /**
     * @param limit the compressed connection limit, 2 seconds to 1 hour
     */
    public Builder limit(Duration limit) {
      this.limit = Objects.requireNonNull(limit, "limit");
      return this;
    }

    /**
     * @param n how long to measure, in limits (more than 0)
     */
    public Builder limits(double n) {
      this.limits = n;
      return this;
    }

    /**
     * @param warmup how long the load runs before measuring (JIT, pools, the first tokens)
     */
    public Builder warmup(Duration warmup) {
      this.warmup = Objects.requireNonNull(warmup, "warmup");
      return this;
    }

    /**
     * @param threshold how late the hiccup meter must wake up for a bin to be stalled; default 5 ms
     */
    public Builder stallThreshold(Duration threshold) {
      this.stallThreshold = Objects.requireNonNull(threshold, "stallThreshold");
      return this;
    }

    /**
     * @param interval the re-authentication interval; default a third of the limit
     */
    public Builder reauthInterval(@Nullable Duration interval) {
      this.reauthInterval = interval;
      return this;
    }

    /**
     * @param jitter the re-authentication jitter; default a sixth of the interval (as the defaults:
     *     10 minutes of 1 hour)
     */
    public Builder reauthJitter(@Nullable Duration jitter) {
      this.reauthJitter = jitter;
      return this;
    }

    /**
     * @param age the maximum connection age where the client cannot re-authenticate; default half
     *     the limit
     */
    public Builder maxAge(@Nullable Duration age) {
      this.maxAge = age;
      return this;
    }

    /**
     * @param jitter the maximum age's jitter; default a twelfth of the limit
     */
    public Builder maxAgeJitter(@Nullable Duration jitter) {
      this.maxAgeJitter = jitter;
      return this;
    }

    /**
     * @param life the tokens' signed expiry, 1 second to 15 minutes; default 4 limits (2 seconds
     *     with {@link Fault#SHORT_TOKEN_LIFE})
     */
    public Builder tokenLife(@Nullable Duration life) {
      this.tokenLife = life;
      return this;
    }

    /**
     * @param fault the fault to inject once
     */
    public Builder fault(Fault fault) {
      this.fault = Objects.requireNonNull(fault, "fault");
      return this;
    }

    /**
     * @param fraction when the fault starts, as a fraction of the measured time (0 to 1)
     */
    public Builder faultAt(double fraction) {
      this.faultAt = fraction;
      return this;
    }

    /**
     * @param n connect samples of each kind, 0 for none
     */
    public Builder connectSamples(int n) {
      this.connectSamples = n;
      return this;
    }

    /**
     * @param token true to compare connects with a token signed once and sent as a fixed password
     *     (the client's own cost of the adapter), false (default) with a password user
     */
    public Builder staticToken(boolean token) {
      this.staticToken = token;
      return this;
    }

    /**
     * @param width the width of the time bins waves are found in, 10 ms to 10 s
     */
    public Builder bin(Duration width) {
      this.bin = Objects.requireNonNull(width, "bin");
      return this;
    }

    /**
     * @param every how often to print a progress line; zero for never
     */
    public Builder progressEvery(Duration every) {
      this.progressEvery = Objects.requireNonNull(every, "progressEvery");
      return this;
    }

    /**
     * @param file where to write the JSON result; null for nowhere
     */
    public Builder output(@Nullable Path file) {
      this.output = file;
      return this;
    }

    /**
     * @param text a label stored with the result
     */
    public Builder label(@Nullable String text) {
      this.label = text;
      return this;
    }

    /**
     * Checks every setting and derives the unset ones.
     *
     * @throws IamConfigurationException listing every problem
     */
    public SoakSettings build() {
      List<String> problems = new ArrayList<>();
      int maxConnections = adapter.isRedis() ? MAX_REDIS_CONNECTIONS : MAX_JDBC_CONNECTIONS;
      if (connections < 1 || connections > maxConnections) {
        problems.add(
            "connections: "
                + connections
                + " is out of range (expected 1 to "
                + maxConnections
                + " for "
                + adapter.cliName()
                + ")");
      }
      if (threads < 1 || threads > 256) {
        problems.add("threads: " + threads + " is out of range (expected 1 to 256)");
      }
      if (adapter == Adapter.LETTUCE && threads > connections) {
        problems.add(
            "threads: "
                + threads
                + " is more than the "
                + connections
                + " connections (each Lettuce load thread owns connections of its own, so that"
                + " its MULTI/EXEC is not interleaved with another thread's commands)");
      }
      if (rate < 0) {
        problems.add("rate: " + rate + " is negative (expected 0 for a closed loop, or more)");
      }
      Map<Op, Integer> weights = mix != null ? mix : defaultMix(adapter);
      int total = 0;
      for (Map.Entry<Op, Integer> e : weights.entrySet()) {
        if (!adapter.ops().contains(e.getKey())) {
          problems.add(
              "mix: "
                  + e.getKey().cliName()
                  + " is not an operation of "
                  + adapter.cliName()
                  + " (expected "
                  + String.join(", ", adapter.ops().stream().map(Op::cliName).toList())
                  + ")");
        }
        if (e.getValue() < 0) {
          problems.add("mix: the weight of " + e.getKey().cliName() + " is negative");
        } else {
          total += e.getValue();
        }
      }
      if (total <= 0) {
        problems.add("mix: no operation has a positive weight");
      }
      if (limit.compareTo(Duration.ofSeconds(2)) < 0 || limit.compareTo(Duration.ofHours(1)) > 0) {
        problems.add("limit: " + limit + " is out of range (expected 2 seconds to 1 hour)");
      }
      if (!(limits > 0) || limits > 100_000) {
        problems.add("limits: " + limits + " is out of range (expected more than 0)");
      }
      if (warmup.isNegative()) {
        problems.add("warmup: " + warmup + " is negative");
      }
      if (stallThreshold.compareTo(Duration.ofMillis(1)) < 0) {
        problems.add("stallThreshold: " + stallThreshold + " is under 1 ms");
      }
      if (!(faultAt >= 0 && faultAt <= 1)) {
        problems.add("faultAt: " + faultAt + " is out of range (expected 0 to 1)");
      }
      if (connectSamples < 0) {
        problems.add("connectSamples: " + connectSamples + " is negative");
      }
      if (bin.compareTo(Duration.ofMillis(10)) < 0 || bin.compareTo(Duration.ofSeconds(10)) > 0) {
        problems.add("bin: " + bin + " is out of range (expected 10 ms to 10 s)");
      }
      if (progressEvery.isNegative()) {
        problems.add("progressEvery: " + progressEvery + " is negative");
      }
      TokenTimes tokens = tokenTimes(problems);
      RenewalPolicy policy = null;
      if (problems.isEmpty()) {
        policy = policy(problems, tokens.life);
      }
      if (!problems.isEmpty() || policy == null) {
        throw new IamConfigurationException(problems);
      }
      return new SoakSettings(this, policy, weights, tokens);
    }

    private TokenTimes tokenTimes(List<String> problems) {
      Duration life = tokenLife;
      if (life == null) {
        // Not 1 s for the fault: a token's signing time is in whole seconds, so a 1-second token
        // has between 0 and 1 s left when it is signed, and the provider refuses one with less
        // than twice its margin.
        life = fault == Fault.SHORT_TOKEN_LIFE ? Duration.ofSeconds(2) : limit.multipliedBy(4);
        if (life.compareTo(Duration.ofMinutes(15)) > 0) {
          life = Duration.ofMinutes(15);
        }
      }
      if (life.compareTo(Duration.ofSeconds(1)) < 0
          || life.compareTo(Duration.ofMinutes(15)) > 0
          || life.toMillis() % 1000 != 0) {
        problems.add(
            "tokenLife: " + life + " is out of range (expected whole seconds, 1 s to 15 minutes)");
        return new TokenTimes(Duration.ofSeconds(12), Duration.ofSeconds(6), Duration.ofSeconds(2));
      }
      // A fifth of the life as margin (at most 2 s, the compatibility kit's), and a refresh at
      // half the usable life: a new token every half life or so.
      Duration margin = life.dividedBy(5);
      if (margin.compareTo(Duration.ofSeconds(2)) > 0) {
        margin = Duration.ofSeconds(2);
      }
      Duration lead = life.minus(margin).dividedBy(2);
      return new TokenTimes(life, lead, margin);
    }

    private @Nullable RenewalPolicy policy(List<String> problems, Duration life) {
      Duration interval = reauthInterval != null ? reauthInterval : limit.dividedBy(3);
      if (fault == Fault.SHORT_TOKEN_LIFE && reauthInterval == null) {
        // The point of the fault: tokens that expire before the connection's next renewal.
        Duration longer = life.plusMillis(500);
        if (interval.compareTo(longer) < 0) {
          interval = longer;
        }
      }
      Duration jitter = reauthJitter != null ? reauthJitter : interval.dividedBy(6);
      Duration age = maxAge != null ? maxAge : limit.dividedBy(2);
      Duration ageJitter = maxAgeJitter != null ? maxAgeJitter : limit.dividedBy(12);
      if (fault == Fault.SHORT_TOKEN_LIFE
          && adapter.isRedis()
          && interval.minus(jitter).compareTo(life) <= 0) {
        problems.add(
            "reauthInterval: "
                + interval
                + " less its jitter "
                + jitter
                + " is not longer than the token life "
                + life
                + " (the short-token-life fault needs tokens that expire before the next renewal)");
      }
      if (fault == Fault.SHORT_TOKEN_LIFE
          && adapter.isRedis()
          && interval.multipliedBy(2).compareTo(limit) > 0) {
        problems.add(
            "limit: "
                + limit
                + " leaves no second renewal of every "
                + interval
                + " before the server closes the connection (the short-token-life fault needs a"
                + " limit of at least twice the interval, e.g. --limit "
                + (interval.multipliedBy(2).toMillis() + 999) / 1000
                + "s)");
      }
      try {
        return RenewalPolicy.builder()
            .connectionLimit(limit)
            .reauthenticationInterval(interval)
            .reauthenticationJitter(jitter)
            .maxConnectionAge(age)
            .maxConnectionAgeJitter(ageJitter)
            .build();
      } catch (IamConfigurationException e) {
        problems.addAll(e.problems());
        return null;
      }
    }

    /** The default weights of an adapter's operations. */
    static Map<Op, Integer> defaultMix(Adapter adapter) {
      Map<Op, Integer> m = new EnumMap<>(Op.class);
      if (adapter == Adapter.HIKARI) {
        m.put(Op.QUERY, 90);
        m.put(Op.TX, 10);
      } else {
        m.put(Op.SET, 40);
        m.put(Op.GET, 40);
        m.put(Op.MULTI, 8);
        m.put(Op.PUBLISH, 6);
        m.put(Op.PUSH, 6);
      }
      return m;
    }
  }
}
