package io.github.iamauth4j.valkey.internal;

import io.valkey.Connection;
import io.valkey.ConnectionFactory;
import io.valkey.DefaultJedisClientConfig;
import io.valkey.DefaultJedisSocketFactory;
import io.valkey.HostAndPort;
import io.valkey.JedisClientConfig;
import io.valkey.JedisSocketFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;

/**
 * valkey-java's {@link ConnectionFactory} for the adapter's pools (standalone, and each cluster
 * node): it makes {@link IamConnection}s (IAM first, the fallback password of a migration when IAM
 * cannot be used), tracked from the moment they authenticate, and stops tracking one when the pool
 * destroys it, by whichever route (evicted, retired, broken, failed validation, pool closed).
 * Borrow, return and validation stay valkey-java's own.
 */
final class IamConnectionFactory extends ConnectionFactory {
  private final HostAndPort node;
  private final JedisClientConfig config;
  private final JedisSocketFactory sockets;
  private final Renewer renewer;

  IamConnectionFactory(HostAndPort node, JedisClientConfig config, Renewer renewer) {
    super(node, config);
    this.node = node;
    this.config = DefaultJedisClientConfig.copyConfig(config);
    this.sockets = new DefaultJedisSocketFactory(node, this.config);
    this.renewer = renewer;
  }

  /**
   * Opens and authenticates a connection: IAM first; when the server refuses the token and a
   * fallback password is configured, again at once with the password ({@link Renewer#open}).
   */
  @Override
  public PooledObject<Connection> makeObject() {
    return new DefaultPooledObject<>(
        renewer.open(node, config, (own, tracking) -> new IamConnection(sockets, own, tracking)));
  }

  @Override
  public void destroyObject(PooledObject<Connection> p) throws Exception {
    try {
      super.destroyObject(p);
    } finally {
      renewer.destroyed(p.getObject(), p.getObject());
    }
  }

  @Override
  public String toString() {
    return "IamConnectionFactory[" + node + "]";
  }
}
