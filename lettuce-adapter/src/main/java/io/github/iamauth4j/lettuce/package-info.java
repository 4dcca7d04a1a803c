/**
 * IAM authentication for Lettuce 6.6+ / 7.x: {@link io.github.iamauth4j.lettuce.IamLettuce} sets up
 * a {@code RedisClient} or {@code RedisClusterClient} whose connections authenticate with IAM
 * tokens over TLS and re-authenticate live, long before the server's 12-hour limit.
 */
@NullMarked
package io.github.iamauth4j.lettuce;

import org.jspecify.annotations.NullMarked;
