package io.github.iamauth4j.valkey.internal;

import io.valkey.DefaultJedisClientConfig;
import io.valkey.DefaultJedisSocketFactory;
import io.valkey.HostAndPort;
import io.valkey.Jedis;
import io.valkey.JedisClientConfig;
import io.valkey.JedisFactory;
import io.valkey.JedisSocketFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;

/** valkey-java's {@link JedisFactory}, making {@link IamJedis} objects. */
final class IamJedisFactory extends JedisFactory {
  private final JedisSocketFactory socketFactory;
  private final JedisClientConfig clientConfig;
  private final Renewer renewer;

  IamJedisFactory(HostAndPort hostAndPort, JedisClientConfig clientConfig, Renewer renewer) {
    super(hostAndPort, clientConfig);
    this.clientConfig = DefaultJedisClientConfig.copyConfig(clientConfig);
    this.socketFactory = new DefaultJedisSocketFactory(hostAndPort, this.clientConfig);
    this.renewer = renewer;
  }

  @Override
  public PooledObject<Jedis> makeObject() throws Exception {
    return new DefaultPooledObject<>(new IamJedis(socketFactory, clientConfig, renewer));
  }
}
