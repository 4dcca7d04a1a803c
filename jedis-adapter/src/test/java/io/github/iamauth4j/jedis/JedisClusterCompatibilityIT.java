package io.github.iamauth4j.jedis;

import io.github.iamauth4j.testkit.compat.ClientSettings;
import io.github.iamauth4j.testkit.compat.RedisAdapterCompatibilityKit;
import io.github.iamauth4j.testkit.compat.RedisClientUnderTest;
import io.github.iamauth4j.testkit.compat.Topology;
import redis.clients.jedis.exceptions.JedisAccessControlException;

/** The compatibility kit against a cluster-mode cache (three masters), through {@link IamJedis}. */
class JedisClusterCompatibilityIT extends RedisAdapterCompatibilityKit {
  JedisClusterCompatibilityIT() {
    super(Topology.CLUSTER);
  }

  @Override
  protected RedisClientUnderTest connect(ClientSettings settings) {
    return JedisClientUnderTest.connect(settings);
  }

  @Override
  protected Class<? extends Throwable> authenticationFailure() {
    return JedisAccessControlException.class;
  }
}
