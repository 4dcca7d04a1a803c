package io.github.iamauth4j.valkey;

import io.github.iamauth4j.testkit.compat.ClientSettings;
import io.github.iamauth4j.testkit.compat.RedisAdapterCompatibilityKit;
import io.github.iamauth4j.testkit.compat.RedisClientUnderTest;
import io.github.iamauth4j.testkit.compat.Renewal;
import io.github.iamauth4j.testkit.compat.Topology;
import io.valkey.exceptions.JedisAccessControlException;

/** The compatibility kit against a replication group (cluster mode off), through {@code pooled}. */
class ValkeyStandaloneCompatibilityIT extends RedisAdapterCompatibilityKit {
  ValkeyStandaloneCompatibilityIT() {
    super(Topology.STANDALONE);
  }

  @Override
  protected RedisClientUnderTest connect(ClientSettings settings) {
    return ValkeyClientUnderTest.connect(settings);
  }

  @Override
  protected Class<? extends Throwable> authenticationFailure() {
    return JedisAccessControlException.class;
  }

  @Override
  protected Renewal renewal() {
    return Renewal.REAUTHENTICATE;
  }
}
