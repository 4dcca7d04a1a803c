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
 * otherwise leaves the decision to commons-pool2's {@link DefaultEvictionPolicy} (idle time). In a
 * pool the app built, it is the only hook the adapter has: an evicted connection stops being
 * tracked here, since the pool destroys it next.
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
    T resource = underTest.getObject();
    Connection connection = connectionOf.apply(resource);
    boolean evict =
        !Renewer.renew(connection, renewer.authOf(resource, connection))
            || idleTime.evict(config, underTest, idleCount);
    if (evict) {
      renewer.destroyed(resource, connection);
    }
    return evict;
  }
}
