package io.github.iamauth4j.redisson;

import io.github.iamauth4j.testkit.compat.ClientSettings;
import io.github.iamauth4j.testkit.compat.RedisAdapterCompatibilityKit;
import io.github.iamauth4j.testkit.compat.RedisClientUnderTest;
import io.github.iamauth4j.testkit.compat.Topology;
import org.redisson.client.RedisWrongPasswordException;

/** The compatibility kit against a cluster-mode cache (three masters), through IamRedisson. */
class RedissonClusterCompatibilityIT extends RedisAdapterCompatibilityKit {
  RedissonClusterCompatibilityIT() {
    super(Topology.CLUSTER);
  }

  @Override
  protected RedisClientUnderTest connect(ClientSettings settings) {
    return RedissonClientUnderTest.connect(settings);
  }

  @Override
  protected Class<? extends Throwable> authenticationFailure() {
    return RedisWrongPasswordException.class;
  }
}
