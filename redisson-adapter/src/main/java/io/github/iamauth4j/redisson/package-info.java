/**
 * IAM authentication for Redisson 3.52+ / 4.x: {@link io.github.iamauth4j.redisson.IamRedisson}
 * returns a Redisson {@code Config} (or {@code RedissonClient}) whose connections authenticate with
 * IAM tokens over verified TLS and re-authenticate live, long before the server's 12-hour limit;
 * {@link io.github.iamauth4j.redisson.IamCredentialsResolver} and {@link
 * io.github.iamauth4j.redisson.IamNettyHook} do the same from Redisson's YAML/JSON configuration.
 */
@NullMarked
package io.github.iamauth4j.redisson;

import org.jspecify.annotations.NullMarked;
