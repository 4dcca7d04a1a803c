package io.github.iamauth4j.jedis.internal;

import java.util.Objects;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.PooledObjectFactory;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import redis.clients.jedis.Jedis;

/**
 * The commons-pool2 factory of a {@code JedisPool}, in place of Jedis's own {@code JedisFactory}
 * (which never re-authenticates): each {@link Jedis} wraps an {@link IamConnection}, which
 * re-authenticates when its own renewal is due at the same safe moments as in the adapter's
 * connection pools (borrow, return, the evictor's idle check). {@code JedisPool} resets a returned
 * {@code Jedis} (discarding an open transaction) before this factory sees it.
 */
public final class IamJedisFactory implements PooledObjectFactory<Jedis> {
  private final IamConnectionFactory connections;

  /**
   * @param connections the factory of the underlying connections
   */
  public IamJedisFactory(IamConnectionFactory connections) {
    this.connections = Objects.requireNonNull(connections, "connections");
  }

  @Override
  public PooledObject<Jedis> makeObject() {
    return new DefaultPooledObject<>(new Jedis(connections.connect()));
  }

  @Override
  public void activateObject(PooledObject<Jedis> p) {
    IamConnectionFactory.activate(p.getObject().getConnection());
  }

  @Override
  public void passivateObject(PooledObject<Jedis> p) {
    IamConnectionFactory.passivate(p.getObject().getConnection());
  }

  @Override
  public boolean validateObject(PooledObject<Jedis> p) {
    return IamConnectionFactory.validate(p.getObject().getConnection());
  }

  @Override
  public void destroyObject(PooledObject<Jedis> p) {
    IamConnectionFactory.destroy(p.getObject().getConnection());
  }

  @Override
  public String toString() {
    return "IamJedisFactory[" + connections + "]";
  }
}
