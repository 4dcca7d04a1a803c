package io.github.iamauth4j.jedis;

import io.github.iamauth4j.testkit.compat.ClientSettings;
import io.github.iamauth4j.testkit.compat.RedisAdapterCompatibilityKit;
import io.github.iamauth4j.testkit.compat.RedisClientUnderTest;
import io.github.iamauth4j.testkit.compat.Topology;
import redis.clients.jedis.exceptions.JedisAccessControlException;

/**
 * The compatibility kit against a replication group (cluster mode off), through {@link IamJedis}.
 */
class JedisStandaloneCompatibilityIT extends RedisAdapterCompatibilityKit {
  JedisStandaloneCompatibilityIT() {
    super(Topology.STANDALONE);
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
