package io.github.iamauth4j.valkey.internal;

import io.valkey.Connection;
import java.util.function.Function;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultEvictionPolicy;
import org.apache.commons.pool2.impl.EvictionConfig;
import org.apache.commons.pool2.impl.EvictionPolicy;

/**
 * The pool's eviction policy, run by commons-pool2's evictor on each idle connection while no one
 * can borrow it: renews the connection ({@link Renewer}), evicts it if it is too old or dead, and
 * otherwise leaves the decision to commons-pool2's {@link DefaultEvictionPolicy} (idle time).
 *
 * @param <T> the pooled type ({@code Connection} or {@code Jedis})
 */
public final class RenewingEvictionPolicy<T> implements EvictionPolicy<T> {
  private final Renewer renewer;
  private final Function<T, Connection> connectionOf;
  private final EvictionPolicy<T> idleTime = new DefaultEvictionPolicy<>();

  /**
   * @param renewer the client's renewer
   * @param connectionOf the connection of a pooled object
   */
  public RenewingEvictionPolicy(Renewer renewer, Function<T, Connection> connectionOf) {
    this.renewer = renewer;
    this.connectionOf = connectionOf;
  }

  @Override
  public boolean evict(EvictionConfig config, PooledObject<T> underTest, int idleCount) {
    if (!renewer.renew(connectionOf.apply(underTest.getObject()), null)) {
      return true;
    }
    return idleTime.evict(config, underTest, idleCount);
  }
}
