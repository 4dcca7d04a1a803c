package io.github.iamauth4j.benchmarks.soak;

/**
 * One adapter under load: its client, set up through the adapter as its README tells an app to,
 * with the run's connections, a subscriber and a blocking consumer where the client has them; and
 * the two ways of opening one connection that the connect comparison times.
 */
interface Driver extends AutoCloseable {
  /**
   * Opens the client and all its connections, the subscriber and the consumer.
   *
   * @throws Exception whatever the client throws when it cannot connect
   */
  void start() throws Exception;

  /**
   * The operations of one load thread; each is used by that thread only.
   *
   * @param thread the thread's index, from 0
   */
  Worker worker(int thread);

  /**
   * Stops the subscriber and the consumer, and counts what was left in the queue (into the run's
   * {@link Flows}). The load has stopped; the client stays open.
   *
   * @throws Exception whatever the client throws
   */
  void drain() throws Exception;

  /**
   * Opens one connection the way the adapter's client does (IAM token), for the connect comparison.
   *
   * @throws Exception whatever the client throws
   */
  ConnectProbe iamProbe() throws Exception;

  /**
   * Opens one connection with the same client, endpoint and TLS, but a static password.
   *
   * @throws Exception whatever the client throws
   */
  ConnectProbe staticProbe() throws Exception;

  /** Closes the client and the adapter. */
  @Override
  void close();

  /** The operations of one load thread. */
  interface Worker {
    /**
     * Runs one operation and checks its reply.
     *
     * @param op the operation
     * @throws Exception whatever the client throws, or {@link Failures.WrongReply}
     */
    void run(Op op) throws Exception;
  }

  /** Opens connections of one kind, one at a time. */
  interface ConnectProbe extends AutoCloseable {
    /**
     * Opens a new connection, sends one command ({@code PING}, {@code select 1}) and returns the
     * nanoseconds from the start of the connect to the reply; then closes the connection (not
     * timed).
     *
     * @throws Exception whatever the client throws
     */
    long connectNanos() throws Exception;

    @Override
    void close();
  }
}
