package io.github.iamauth4j.testkit.compat;

/** The deployment the kit runs an adapter against. */
public enum Topology {
  /**
   * A replication group with cluster mode off (or a serverless cache): one endpoint, one {@link
   * io.github.iamauth4j.testkit.redis.ElastiCacheEmulator} in front of a standalone Redis.
   */
  STANDALONE,
  /**
   * Cluster mode on: an {@link io.github.iamauth4j.testkit.redis.ElastiCacheClusterEmulator} in
   * front of a Redis Cluster of three masters, whose nodes announce the emulators' ports.
   */
  CLUSTER
}
