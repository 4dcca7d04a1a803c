package io.github.iamauth4j.lettuce;

import io.github.iamauth4j.testkit.compat.ClientSettings;
import io.github.iamauth4j.testkit.compat.RedisAdapterCompatibilityKit;
import io.github.iamauth4j.testkit.compat.RedisClientUnderTest;
import io.github.iamauth4j.testkit.compat.Topology;
import io.lettuce.core.RedisCommandExecutionException;

/** The compatibility kit against a replication group (cluster mode off). */
class LettuceStandaloneCompatibilityIT extends RedisAdapterCompatibilityKit {
  LettuceStandaloneCompatibilityIT() {
    super(Topology.STANDALONE);
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
