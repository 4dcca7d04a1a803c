package io.github.iamauth4j.spring;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code iamauth4j.redis.*}: IAM authentication for the app's Spring Data Redis connection (Lettuce
 * or Jedis). The connection itself stays in {@code spring.data.redis.*} (host, port, {@code
 * ssl.enabled} or {@code ssl.bundle}); its password goes away.
 */
@ConfigurationProperties("iamauth4j.redis")
public class IamRedisProperties {

  /** The kind of cache: what the token is signed for. */
  public enum Kind {
    /** An ElastiCache replication group (cluster mode on or off). */
    ELASTICACHE,
    /** An ElastiCache Serverless cache. */
    ELASTICACHE_SERVERLESS,
    /** A MemoryDB cluster. */
    MEMORYDB
  }

  /**
   * Turns IAM authentication on for Spring Data Redis: the ElastiCache replication group id, the
   * ElastiCache Serverless cache name or the MemoryDB cluster name (not the endpoint host name).
   */
  private @Nullable String cacheName;

  /** What the cache is: elasticache, elasticache-serverless or memorydb. */
  private Kind kind = Kind.ELASTICACHE;

  /**
   * The IAM-enabled user (ElastiCache user id, MemoryDB user name). Defaults to
   * spring.data.redis.username.
   */
  private @Nullable String user;

  /**
   * The region the token is signed for, e.g. us-east-1. Defaults to the region in
   * spring.data.redis.host (an AWS endpoint name), then the AWS SDK's region chain.
   */
  private @Nullable String region;

  /**
   * The server's limit on an IAM-authenticated connection (12 hours on AWS). Live connections are
   * re-authenticated well within it. Lower it only for a local emulator with a compressed limit.
   */
  private Duration connectionLimit = Duration.ofHours(12);

  /**
   * How often each live connection re-authenticates. Defaults to a twelfth of the connection limit
   * (an hour at 12 hours), less a random jitter; set it only below a 12-second limit.
   */
  private @Nullable Duration reauthenticationInterval;

  /**
   * Allows a plaintext (or unverified TLS) spring.data.redis connection, sending tokens in clear.
   * For a local test server only; logged loudly.
   */
  private boolean allowPlaintextForLocalTesting;

  public @Nullable String getCacheName() {
    return cacheName;
  }

  public void setCacheName(@Nullable String cacheName) {
    this.cacheName = cacheName;
  }

  public Kind getKind() {
    return kind;
  }

  public void setKind(Kind kind) {
    this.kind = kind;
  }

  public @Nullable String getUser() {
    return user;
  }

  public void setUser(@Nullable String user) {
    this.user = user;
  }

  public @Nullable String getRegion() {
    return region;
  }

  public void setRegion(@Nullable String region) {
    this.region = region;
  }

  public Duration getConnectionLimit() {
    return connectionLimit;
  }

  public void setConnectionLimit(Duration connectionLimit) {
    this.connectionLimit = connectionLimit;
  }

  public @Nullable Duration getReauthenticationInterval() {
    return reauthenticationInterval;
  }

  public void setReauthenticationInterval(@Nullable Duration reauthenticationInterval) {
    this.reauthenticationInterval = reauthenticationInterval;
  }

  public boolean isAllowPlaintextForLocalTesting() {
    return allowPlaintextForLocalTesting;
  }

  public void setAllowPlaintextForLocalTesting(boolean allowPlaintextForLocalTesting) {
    this.allowPlaintextForLocalTesting = allowPlaintextForLocalTesting;
  }
}
