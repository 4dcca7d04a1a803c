package io.github.iamauth4j.valkey;

import io.github.iamauth4j.testkit.compat.ClientSettings;
import io.github.iamauth4j.testkit.compat.RedisAdapterCompatibilityKit;
import io.github.iamauth4j.testkit.compat.RedisClientUnderTest;
import io.github.iamauth4j.testkit.compat.Renewal;
import io.github.iamauth4j.testkit.compat.Topology;
import io.valkey.exceptions.JedisAccessControlException;

/**
 * The compatibility kit against a three-master cluster (cluster mode on), through {@code cluster}.
 */
class ValkeyClusterCompatibilityIT extends RedisAdapterCompatibilityKit {
  ValkeyClusterCompatibilityIT() {
    super(Topology.CLUSTER);
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
