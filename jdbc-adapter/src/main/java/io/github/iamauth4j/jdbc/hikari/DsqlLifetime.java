package io.github.iamauth4j.jdbc.hikari;

import com.zaxxer.hikari.HikariConfig;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a pool's connections inside Aurora DSQL's session limit: DSQL closes a session after one
 * hour ("Understanding connections in Aurora DSQL",
 * https://docs.aws.amazon.com/aurora-dsql/latest/userguide/working-with-connections.html), so a
 * pooled connection must be retired before that, or the query that meets the closed session fails.
 */
final class DsqlLifetime {
  private static final Logger log = LoggerFactory.getLogger(DsqlLifetime.class);

  /** Aurora DSQL's session limit. */
  static final Duration SESSION_LIMIT = Duration.ofHours(1);

  /**
   * The {@code maxLifetime} set when the pool's would let a connection outlive a DSQL session: 55
   * minutes, which leaves HikariCP's own variance (it retires up to 2.5% earlier) and a connection
   * in use at that moment room to finish.
   */
  static final Duration SAFE_MAX_LIFETIME = Duration.ofMinutes(55);

  private DsqlLifetime() {}

  /**
   * Lowers {@code maxLifetime} to {@link #SAFE_MAX_LIFETIME} when it is 0 (no limit) or longer,
   * with a warning naming the setting; HikariCP's default (30 minutes) is left alone.
   *
   * @param hikari the pool's configuration
   * @return whether it was lowered
   */
  static boolean fit(HikariConfig hikari) {
    long ms = hikari.getMaxLifetime();
    if (ms > 0 && ms <= SAFE_MAX_LIFETIME.toMillis()) {
      return false;
    }
    log.warn(
        "maxLifetime: {} lets a pooled connection outlive Aurora DSQL's one-hour session, after"
            + " which its next query fails; set to {} minutes",
        ms == 0 ? "0 (no limit)" : Duration.ofMillis(ms).toString(),
        SAFE_MAX_LIFETIME.toMinutes());
    hikari.setMaxLifetime(SAFE_MAX_LIFETIME.toMillis());
    return true;
  }
}
