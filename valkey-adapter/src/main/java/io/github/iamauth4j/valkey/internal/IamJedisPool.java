package io.github.iamauth4j.valkey.internal;

import io.valkey.HostAndPort;
import io.valkey.Jedis;
import io.valkey.JedisClientConfig;
import io.valkey.JedisPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

/**
 * The {@link JedisPool} that {@code IamValkey} hands out: a {@code Jedis} is renewed when it is
 * borrowed ({@link Renewer#checkOut}) and while it is idle (the {@link RenewingEvictionPolicy} in
 * its pool configuration), and its subscriptions re-authenticate in band.
 */
public final class IamJedisPool extends JedisPool {
  private final Renewer renewer;

  /**
   * @param hostAndPort the endpoint
   * @param clientConfig the client configuration (IAM credentials, TLS, RESP3)
   * @param poolConfig the pool configuration, with the renewing eviction policy
   * @param renewer the renewer
   */
  public IamJedisPool(
      HostAndPort hostAndPort,
      JedisClientConfig clientConfig,
      GenericObjectPoolConfig<Jedis> poolConfig,
      Renewer renewer) {
    super(poolConfig, new IamJedisFactory(hostAndPort, clientConfig, renewer));
    this.renewer = renewer;
  }

  @Override
  public Jedis getResource() {
    return renewer.checkOut(super::getResource, Jedis::getConnection, IamJedisPool::discard);
  }

  private static void discard(Jedis jedis) {
    jedis.getConnection().setBroken();
    jedis.close();
  }

  @Override
  public String toString() {
    return "IamJedisPool[" + renewer.tokens().target().description() + "]";
  }
}
