/**
 * IAM authentication for Jedis 7.2+ / 8.x: {@link io.github.iamauth4j.jedis.IamJedis} sets up a
 * {@code RedisClient}, {@code RedisClusterClient} or legacy {@code JedisPool} (or the parts of an
 * app's own setup) whose connections authenticate with IAM tokens over TLS and re-authenticate
 * live, each on its own jittered interval, long before the server's 12-hour limit.
 */
@NullMarked
package io.github.iamauth4j.jedis;

import org.jspecify.annotations.NullMarked;
