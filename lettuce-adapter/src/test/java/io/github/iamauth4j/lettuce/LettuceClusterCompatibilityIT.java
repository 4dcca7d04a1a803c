package io.github.iamauth4j.lettuce;

import io.github.iamauth4j.testkit.compat.ClientSettings;
import io.github.iamauth4j.testkit.compat.RedisAdapterCompatibilityKit;
import io.github.iamauth4j.testkit.compat.RedisClientUnderTest;
import io.github.iamauth4j.testkit.compat.Topology;
import io.lettuce.core.RedisCommandExecutionException;

/** The compatibility kit against a cluster-mode cache (three masters). */
class LettuceClusterCompatibilityIT extends RedisAdapterCompatibilityKit {
  LettuceClusterCompatibilityIT() {
    super(Topology.CLUSTER);
  }

  @Override
  protected RedisClientUnderTest connect(ClientSettings settings) {
    return LettuceClientUnderTest.connect(settings);
  }

  @Override
  protected Class<? extends Throwable> authenticationFailure() {
    return RedisCommandExecutionException.class;
  }
}
