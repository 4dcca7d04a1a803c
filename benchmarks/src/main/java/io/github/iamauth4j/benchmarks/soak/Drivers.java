package io.github.iamauth4j.benchmarks.soak;

/** The driver of each adapter. */
final class Drivers {
  private Drivers() {}

  static Driver create(Adapter adapter, Environment env, Flows flows, Failures failures) {
    return switch (adapter) {
      case LETTUCE -> new LettuceDriver(env, flows, failures);
      case JEDIS -> new JedisDriver(env, flows, failures);
      case VALKEY -> new ValkeyDriver(env, flows, failures);
      case REDISSON -> new RedissonDriver(env, flows, failures);
      case HIKARI -> new HikariDriver(env);
    };
  }
}
