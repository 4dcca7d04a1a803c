package io.github.iamauth4j.testkit.net;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An emulator's authentication counters under the names of AWS's CloudWatch metrics, plus the
 * successful authentications by method, so that a test or an operator can watch a migration from
 * passwords to IAM the way AWS's guide asks: {@code AuthenticationFailures}, {@code
 * IamAuthenticationExpirations} and {@code IamAuthenticationThrottling} stay low while {@code
 * iamAuthentications} takes over from {@code passwordAuthentications}. Totals since the emulator
 * started (CloudWatch reports them per minute).
 *
 * @param authenticationFailures {@code AuthenticationFailures}: failed attempts to authenticate
 *     ({@code AUTH}, {@code HELLO … AUTH}, a database login), with a token or a password; not the
 *     throttled ones
 * @param iamAuthenticationExpirations {@code IamAuthenticationExpirations}: connections closed
 *     because the connection limit since their last IAM authentication passed (always 0 on RDS)
 * @param iamAuthenticationThrottling {@code IamAuthenticationThrottling}: IAM authentications
 *     refused because they came faster than the configured rate limit
 * @param iamAuthentications successful authentications with a token (re-authentications included);
 *     not an AWS metric
 * @param passwordAuthentications successful authentications with a password; not an AWS metric
 */
public record AuthMetrics(
    long authenticationFailures,
    long iamAuthenticationExpirations,
    long iamAuthenticationThrottling,
    long iamAuthentications,
    long passwordAuthentications) {

  /**
   * The counters by name: the three AWS metric names, then {@code IamAuthentications} and {@code
   * PasswordAuthentications}, in that order.
   */
  public Map<String, Long> byName() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("AuthenticationFailures", authenticationFailures);
    m.put("IamAuthenticationExpirations", iamAuthenticationExpirations);
    m.put("IamAuthenticationThrottling", iamAuthenticationThrottling);
    m.put("IamAuthentications", iamAuthentications);
    m.put("PasswordAuthentications", passwordAuthentications);
    return m;
  }

  /**
   * The counters added to {@code other}'s (e.g. the nodes of a cluster).
   *
   * @param other more counters
   */
  public AuthMetrics plus(AuthMetrics other) {
    return new AuthMetrics(
        authenticationFailures + other.authenticationFailures,
        iamAuthenticationExpirations + other.iamAuthenticationExpirations,
        iamAuthenticationThrottling + other.iamAuthenticationThrottling,
        iamAuthentications + other.iamAuthentications,
        passwordAuthentications + other.passwordAuthentications);
  }

  /**
   * E.g. {@code AuthenticationFailures=0 IamAuthenticationExpirations=2
   * IamAuthenticationThrottling=0 IamAuthentications=40 PasswordAuthentications=3}.
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    byName()
        .forEach(
            (k, v) -> {
              if (sb.length() > 0) {
                sb.append(' ');
              }
              sb.append(k).append('=').append(v);
            });
    return sb.toString();
  }
}
