package io.github.iamauth4j.spring.internal;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.jedis.IamJedis;
import javax.net.ssl.SSLParameters;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisClientConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.util.Pool;

/**
 * Spring Data Redis's Jedis connection factory with the Jedis adapter's pool: connections get the
 * IAM credentials when they open, are checked for TLS first, and each re-authenticates on its own
 * interval when the pool hands it back or checks it idle (Spring Data's own {@code JedisPool} never
 * re-authenticates). Made from the factory Boot configured, with its settings.
 */
final class IamJedisConnectionFactory extends JedisConnectionFactory {
  private final IamJedis iam;

  IamJedisConnectionFactory(
      IamJedis iam, RedisStandaloneConfiguration standalone, JedisClientConfiguration client) {
    super(standalone, client);
    this.iam = iam;
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"}) // Spring Data's pool configuration is raw in 3.5
  protected Pool<Jedis> createRedisPool() {
    GenericObjectPoolConfig poolConfig = getPoolConfig();
    GenericObjectPoolConfig<Jedis> pool =
        poolConfig != null ? poolConfig : new GenericObjectPoolConfig<>();
    return iam.jedisPool(
        new HostAndPort(getHostName(), getPort()), clientConfig(), iam.poolConfig(pool));
  }

  @Override
  protected Jedis fetchJedisConnector() {
    if (!getUsePool()) {
      throw new IamConfigurationException(
          "spring.data.redis.jedis.pool.enabled: false (expected true: an unpooled Jedis"
              + " connection is never re-authenticated, and the server closes it after 12 hours)");
    }
    return super.fetchJedisConnector();
  }

  /** The client settings Boot gave (timeouts, client name, database, TLS), with IAM credentials. */
  @SuppressWarnings("deprecation") // the legacy TLS settings, the ones Spring Data Redis gives
  private JedisClientConfig clientConfig() {
    JedisClientConfiguration c = getClientConfiguration();
    DefaultJedisClientConfig.Builder b =
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(Math.toIntExact(c.getConnectTimeout().toMillis()))
            .socketTimeoutMillis(Math.toIntExact(c.getReadTimeout().toMillis()))
            .database(getDatabase())
            .clientName(c.getClientName().orElse(null))
            .ssl(c.isUseSsl());
    c.getSslSocketFactory().ifPresent(b::sslSocketFactory);
    c.getHostnameVerifier().ifPresent(b::hostnameVerifier);
    SSLParameters params = c.getSslParameters().orElse(null);
    if (c.isUseSsl()
        && c.getHostnameVerifier().isEmpty()
        && params != null
        && params.getEndpointIdentificationAlgorithm() == null) {
      // Boot's SSL bundle gives parameters for its protocols and ciphers, which leave Java's
      // default of no host name check: verify the host name, as Lettuce does by default.
      SSLParameters verifying = new SSLParameters(params.getCipherSuites(), params.getProtocols());
      verifying.setEndpointIdentificationAlgorithm("HTTPS");
      params = verifying;
    }
    if (params != null) {
      b.sslParameters(params);
    }
    return iam.clientConfig(b.build());
  }

  @Override
  public String toString() {
    return "IamJedisConnectionFactory[" + iam + "]";
  }
}
