package io.github.iamauth4j.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How connections stay inside the server's limit: ElastiCache and MemoryDB close an
 * IAM-authenticated connection 12 hours after it last authenticated. Where the client can
 * re-authenticate a live connection, the adapter does so every {@link #reauthenticationInterval()}
 * (less a random jitter); where it cannot, the adapter retires a connection at {@link
 * #maxConnectionAge()} (less a random jitter) and opens a new one.
 *
 * <p>Defaults, and why:
 *
 * <ul>
 *   <li>re-authenticate every 1 hour, jitter up to 10 minutes: eleven chances before the limit, so
 *       a failed attempt is retried many times over; the jitter spreads the {@code AUTH}s of a pool
 *       so the server never sees them all at once ({@code IamAuthenticationThrottling}); one {@code
 *       AUTH} an hour per connection is negligible load;
 *   <li>maximum age 6 hours, jitter up to 1 hour: a connection borrowed for a long time when it is
 *       due (a blocking subscriber, a long job) still has six hours before the server cuts it;
 *       connections opened together do not all reconnect together.
 * </ul>
 *
 * <p>Every value can be lowered to seconds for tests; values at or above the 12-hour limit are
 * refused.
 */
public final class RenewalPolicy {

  /** The limit ElastiCache and MemoryDB put on a connection since it last authenticated. */
  public static final Duration SERVER_CONNECTION_LIMIT = Duration.ofHours(12);

  private static final RenewalPolicy DEFAULTS = builder().build();

  private final Duration connectionLimit;
  private final Duration reauthenticationInterval;
  private final Duration reauthenticationJitter;
  private final Duration maxConnectionAge;
  private final Duration maxConnectionAgeJitter;

  private RenewalPolicy(Builder b) {
    this.connectionLimit = b.connectionLimit;
    this.reauthenticationInterval = b.reauthenticationInterval;
    this.reauthenticationJitter = b.reauthenticationJitter;
    this.maxConnectionAge = b.maxConnectionAge;
    this.maxConnectionAgeJitter = b.maxConnectionAgeJitter;
  }

  /** The default policy: re-authenticate hourly, retire at 6 hours (see the class comment). */
  public static RenewalPolicy defaults() {
    return DEFAULTS;
  }

  /**
   * The defaults scaled to a server whose connection limit is compressed, e.g. an emulator started
   * with {@code --connection-limit 30s} to watch clients re-authenticate: the one setting that fits
   * a client's renewal to the limit. Same proportions as the defaults at 12 hours: re-authenticate
   * every twelfth of the limit (at least 1 second) less up to a sixth of that, retire at half the
   * limit less up to a twelfth of it.
   *
   * @param connectionLimit the server's limit, 12 seconds to 12 hours
   * @return the policy
   * @throws IamConfigurationException if the limit is out of range
   */
  public static RenewalPolicy scaledTo(Duration connectionLimit) {
    Objects.requireNonNull(connectionLimit, "connectionLimit");
    if (connectionLimit.compareTo(Duration.ofSeconds(12)) < 0
        || connectionLimit.compareTo(SERVER_CONNECTION_LIMIT) > 0) {
      throw new IamConfigurationException(
          "connectionLimit: "
              + connectionLimit
              + " is out of range (expected 12 seconds to 12 hours; below 12 seconds, set the"
              + " intervals with RenewalPolicy.builder())");
    }
    Duration interval = connectionLimit.dividedBy(12);
    Duration age = connectionLimit.dividedBy(2);
    return builder()
        .connectionLimit(connectionLimit)
        .reauthenticationInterval(interval)
        .reauthenticationJitter(interval.dividedBy(6))
        .maxConnectionAge(age)
        .maxConnectionAgeJitter(connectionLimit.dividedBy(12))
        .build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this policy. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.connectionLimit = connectionLimit;
    b.reauthenticationInterval = reauthenticationInterval;
    b.reauthenticationJitter = reauthenticationJitter;
    b.maxConnectionAge = maxConnectionAge;
    b.maxConnectionAgeJitter = maxConnectionAgeJitter;
    return b;
  }

  /** The server's limit the other values are checked against: 12 hours unless lowered. */
  public Duration connectionLimit() {
    return connectionLimit;
  }

  /** How often a live connection is re-authenticated, before jitter. */
  public Duration reauthenticationInterval() {
    return reauthenticationInterval;
  }

  /** The most that is taken off each re-authentication interval at random. */
  public Duration reauthenticationJitter() {
    return reauthenticationJitter;
  }

  /** The age at which a connection that cannot re-authenticate is retired, before jitter. */
  public Duration maxConnectionAge() {
    return maxConnectionAge;
  }

  /** The most that is taken off each connection's maximum age at random. */
  public Duration maxConnectionAgeJitter() {
    return maxConnectionAgeJitter;
  }

  /** The delay until a connection's next re-authentication: the interval less a random jitter. */
  public Duration nextReauthenticationDelay() {
    return jittered(
        reauthenticationInterval, reauthenticationJitter, ThreadLocalRandom.current().nextDouble());
  }

  /** A connection's maximum age: the configured age less a random jitter. */
  public Duration nextMaxConnectionAge() {
    return jittered(
        maxConnectionAge, maxConnectionAgeJitter, ThreadLocalRandom.current().nextDouble());
  }

  /**
   * {@code base - jitter * u}, for {@code u} in [0, 1].
   *
   * @param base the value before jitter
   * @param jitter the largest reduction
   * @param u a uniform random number in [0, 1]
   */
  static Duration jittered(Duration base, Duration jitter, double u) {
    return base.minusNanos((long) (jitter.toNanos() * u));
  }

  @Override
  public String toString() {
    return "RenewalPolicy[reauthenticate every "
        + reauthenticationInterval
        + " (-"
        + reauthenticationJitter
        + "), max age "
        + maxConnectionAge
        + " (-"
        + maxConnectionAgeJitter
        + "), limit "
        + connectionLimit
        + "]";
  }

  /** Builds a {@link RenewalPolicy}; starts from the defaults. */
  public static final class Builder {
    private Duration connectionLimit = SERVER_CONNECTION_LIMIT;
    private Duration reauthenticationInterval = Duration.ofHours(1);
    private Duration reauthenticationJitter = Duration.ofMinutes(10);
    private Duration maxConnectionAge = Duration.ofHours(6);
    private Duration maxConnectionAgeJitter = Duration.ofHours(1);

    private Builder() {}

    /**
     * The server's connection limit to stay under. Default and maximum 12 hours; lower it to match
     * an emulator's compressed limit in tests.
     *
     * @param limit the limit
     */
    public Builder connectionLimit(Duration limit) {
      this.connectionLimit = Objects.requireNonNull(limit, "connectionLimit");
      return this;
    }

    /**
     * How often to re-authenticate a live connection. Default 1 hour; at least 1 second and below
     * the connection limit.
     *
     * @param interval the interval
     */
    public Builder reauthenticationInterval(Duration interval) {
      this.reauthenticationInterval = Objects.requireNonNull(interval, "reauthenticationInterval");
      return this;
    }

    /**
     * The most to take off each re-authentication interval at random. Default 10 minutes; zero or
     * more and less than the interval.
     *
     * @param jitter the jitter
     */
    public Builder reauthenticationJitter(Duration jitter) {
      this.reauthenticationJitter = Objects.requireNonNull(jitter, "reauthenticationJitter");
      return this;
    }

    /**
     * The age at which to retire a connection that cannot re-authenticate. Default 6 hours; at
     * least 1 second and below the connection limit.
     *
     * @param age the age
     */
    public Builder maxConnectionAge(Duration age) {
      this.maxConnectionAge = Objects.requireNonNull(age, "maxConnectionAge");
      return this;
    }

    /**
     * The most to take off each connection's maximum age at random. Default 1 hour; zero or more
     * and less than the age.
     *
     * @param jitter the jitter
     */
    public Builder maxConnectionAgeJitter(Duration jitter) {
      this.maxConnectionAgeJitter = Objects.requireNonNull(jitter, "maxConnectionAgeJitter");
      return this;
    }

    /**
     * Builds the policy.
     *
     * @throws IamConfigurationException listing every value out of range
     */
    public RenewalPolicy build() {
      List<String> problems = new ArrayList<>();
      if (connectionLimit.compareTo(Duration.ofSeconds(2)) < 0
          || connectionLimit.compareTo(SERVER_CONNECTION_LIMIT) > 0) {
        problems.add(
            "connectionLimit: "
                + connectionLimit
                + " is out of range (expected 2 seconds to 12 hours, the server's limit)");
      }
      checkBelowLimit(problems, "reauthenticationInterval", reauthenticationInterval);
      checkBelowLimit(problems, "maxConnectionAge", maxConnectionAge);
      checkJitter(
          problems,
          "reauthenticationJitter",
          reauthenticationJitter,
          "reauthenticationInterval",
          reauthenticationInterval);
      checkJitter(
          problems,
          "maxConnectionAgeJitter",
          maxConnectionAgeJitter,
          "maxConnectionAge",
          maxConnectionAge);
      if (!problems.isEmpty()) {
        throw new IamConfigurationException(problems);
      }
      return new RenewalPolicy(this);
    }

    private void checkBelowLimit(List<String> problems, String name, Duration value) {
      if (value.compareTo(Duration.ofSeconds(1)) < 0) {
        problems.add(name + ": " + value + " is too short (expected at least 1 second)");
      } else if (value.compareTo(connectionLimit) >= 0) {
        problems.add(
            name
                + ": "
                + value
                + " is not below the connection limit of "
                + connectionLimit
                + " (the server closes the connection at the limit; expected"
                + " well under it, e.g. PT1H)");
      }
    }

    private static void checkJitter(
        List<String> problems, String name, Duration jitter, String of, Duration base) {
      if (jitter.isNegative() || jitter.compareTo(base) >= 0) {
        problems.add(
            name
                + ": "
                + jitter
                + " is out of range (expected zero or more and less than "
                + of
                + " "
                + base
                + ")");
      }
    }
  }
}
