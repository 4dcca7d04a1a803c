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

/**
 * valkey-java's {@link JedisFactory}, making {@link IamJedis} objects, tracked from the moment they
 * authenticate, and no longer tracked once the pool destroys them.
 */
final class IamJedisFactory extends JedisFactory {
  private final HostAndPort node;
  private final JedisSocketFactory socketFactory;
  private final JedisClientConfig clientConfig;
  private final Renewer renewer;

  IamJedisFactory(HostAndPort node, JedisClientConfig clientConfig, Renewer renewer) {
    super(node, clientConfig);
    this.node = node;
    this.clientConfig = DefaultJedisClientConfig.copyConfig(clientConfig);
    this.socketFactory = new DefaultJedisSocketFactory(node, this.clientConfig);
    this.renewer = renewer;
  }

  /**
   * Opens and authenticates a {@code Jedis}: IAM first; when the server refuses the token and a
   * fallback password is configured, again at once with the password ({@link Renewer#open}).
   */
  @Override
  public PooledObject<Jedis> makeObject() throws Exception {
    return new DefaultPooledObject<>(
        renewer.open(
            node,
            clientConfig,
            (own, tracking) -> new IamJedis(socketFactory, own, renewer, tracking)));
  }

  @Override
  public void destroyObject(PooledObject<Jedis> p) throws Exception {
    try {
      super.destroyObject(p);
    } finally {
      renewer.destroyed(p.getObject(), p.getObject().getConnection());
    }
  }
}
