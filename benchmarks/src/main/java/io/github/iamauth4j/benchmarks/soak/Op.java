package io.github.iamauth4j.benchmarks.soak;

import java.util.Locale;

/** One operation of the load, timed as one sample. */
public enum Op {
  /** {@code SET} of a key only this load thread writes. */
  SET,
  /** {@code GET} of such a key, checked against what the thread wrote last. */
  GET,
  /** {@code MULTI}, two {@code SET}s, {@code EXEC} (Redisson: an atomic batch). */
  MULTI,
  /** {@code PUBLISH} to the channel the run's subscriber listens on. */
  PUBLISH,
  /** {@code LPUSH}/{@code RPUSH} to the list the run's consumer takes from with a blocking pop. */
  PUSH,
  /** JDBC: {@code select current_user}, checked. */
  QUERY,
  /** JDBC: a transaction that updates this thread's row and commits. */
  TX;

  /** The name on the command line, e.g. {@code multi}. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The operation named on the command line.
   *
   * @param name e.g. {@code get}
   * @throws IllegalArgumentException if there is none by that name
   */
  public static Op parse(String name) {
    for (Op o : values()) {
      if (o.cliName().equalsIgnoreCase(name.trim())) {
        return o;
      }
    }
    throw new IllegalArgumentException(
        "mix: \"" + name + "\" is not an operation (set, get, multi, publish, push, query, tx)");
  }
}
