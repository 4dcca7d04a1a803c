/**
 * IAM authentication for valkey-java 5.x: {@link io.github.iamauth4j.valkey.IamValkey} sets up
 * {@code JedisPooled}, {@code JedisPool} and {@code JedisCluster} clients whose connections
 * authenticate with IAM tokens over TLS and are re-authenticated (or retired) at safe moments, long
 * before the server's 12-hour limit.
 */
@NullMarked
package io.github.iamauth4j.valkey;

import org.jspecify.annotations.NullMarked;
