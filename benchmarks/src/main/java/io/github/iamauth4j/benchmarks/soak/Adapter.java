package io.github.iamauth4j.benchmarks.soak;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The adapters the harness drives, each with the operations its client offers. */
public enum Adapter {
  /** Lettuce through {@code IamLettuce}: N multiplexed connections of one {@code RedisClient}. */
  LETTUCE(EnumSet.of(Op.SET, Op.GET, Op.MULTI, Op.PUBLISH, Op.PUSH)),
  /** Jedis through {@code IamJedis}: a {@code RedisClient} over a pool of N connections. */
  JEDIS(EnumSet.of(Op.SET, Op.GET, Op.MULTI, Op.PUBLISH, Op.PUSH)),
  /** valkey-java through {@code IamValkey}: a {@code JedisPooled} over a pool of N connections. */
  VALKEY(EnumSet.of(Op.SET, Op.GET, Op.MULTI, Op.PUBLISH, Op.PUSH)),
  /** Redisson through {@code IamRedisson}: a single-server client with a pool of N connections. */
  REDISSON(EnumSet.of(Op.SET, Op.GET, Op.MULTI, Op.PUBLISH, Op.PUSH)),
  /** The JDBC adapter through {@code IamHikari}: a HikariCP pool of N PostgreSQL connections. */
  HIKARI(EnumSet.of(Op.QUERY, Op.TX));

  private final Set<Op> ops;

  Adapter(Set<Op> ops) {
    this.ops = ops;
  }

  /** The operations this adapter's client offers. */
  public Set<Op> ops() {
    return EnumSet.copyOf(ops);
  }

  /** Whether it talks to the ElastiCache emulator (a Redis client) rather than RDS. */
  public boolean isRedis() {
    return this != HIKARI;
  }

  /** The name on the command line, e.g. {@code lettuce}. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The adapter named on the command line.
   *
   * @param name e.g. {@code lettuce}
   * @throws IllegalArgumentException if there is none by that name
   */
  public static Adapter parse(String name) {
    for (Adapter a : values()) {
      if (a.cliName().equalsIgnoreCase(name.trim())) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "adapter: \"" + name + "\" is not one of lettuce, jedis, valkey, redisson, hikari");
  }
}
