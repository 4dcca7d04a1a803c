/**
 * An emulator of ElastiCache (replication group or serverless) and MemoryDB IAM authentication in
 * front of a real Redis or Valkey server, standalone ({@link
 * io.github.iamauth4j.testkit.redis.ElastiCacheEmulator}) or cluster mode ({@link
 * io.github.iamauth4j.testkit.redis.ElastiCacheClusterEmulator}).
 */
@NullMarked
package io.github.iamauth4j.testkit.redis;

import org.jspecify.annotations.NullMarked;
