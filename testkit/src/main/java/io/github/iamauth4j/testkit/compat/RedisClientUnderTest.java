package io.github.iamauth4j.testkit.compat;

import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A Redis client set up through the adapter under test, as an app would set it up: the few
 * operations the {@link RedisAdapterCompatibilityKit} needs, each blocking until the server has
 * answered and throwing whatever the client throws when a command fails. Methods other than those
 * of {@link Transaction} may be called from several threads at once.
 *
 * <p>In {@link Topology#CLUSTER} mode keys are spread over every master; the keys of one
 * transaction share a hash tag ({@code {tx}…}) so that they live on one node.
 */
public interface RedisClientUnderTest extends AutoCloseable {

  /**
   * {@code SET key value}.
   *
   * @param key the key
   * @param value the value
   */
  void set(String key, String value);

  /**
   * {@code GET key}.
   *
   * @param key the key
   * @return the value, or null if there is none
   */
  @Nullable String get(String key);

  /** {@code ACL WHOAMI}: the user the connection is authenticated as. */
  String whoAmI();

  /**
   * Starts a transaction ({@code MULTI}) on a connection that nothing else uses while the
   * transaction is open (the client may keep one such connection for transactions and reuse it).
   * The kit opens at most one transaction at a time.
   */
  Transaction multi();

  /**
   * {@code SUBSCRIBE channel} on a pub/sub connection; returns once the server has confirmed the
   * subscription.
   *
   * @param channel the channel
   * @param onMessage called with each message, in order
   * @return closing it unsubscribes
   */
  Subscription subscribe(String channel, Consumer<String> onMessage);

  /**
   * {@code PUBLISH channel message}.
   *
   * @param channel the channel
   * @param message the message
   * @return the number of subscribers that received it (as the server counts them)
   */
  long publish(String channel, String message);

  /** Closes every connection of this client and releases its resources. */
  @Override
  void close();

  /** An open {@code MULTI}: commands are queued until {@link #exec()}. Used by one thread. */
  interface Transaction {
    /**
     * Queues {@code SET key value}.
     *
     * @param key the key, with the hash tag {@code {tx}}
     * @param value the value
     */
    void set(String key, String value);

    /**
     * {@code EXEC}.
     *
     * @return the replies of the queued commands, as strings (e.g. {@code "OK"}), in order
     */
    List<String> exec();
  }

  /** An open subscription. */
  interface Subscription extends AutoCloseable {
    /** Unsubscribes (and closes the pub/sub connection if it was opened for this subscription). */
    @Override
    void close();
  }
}
