package io.github.iamauth4j.jdbc.internal;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.jdbc.IamJdbcConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The names the user wrote for the settings the core reports under its own names ({@code region:},
 * {@code expiry:}, {@code host:}, …): a problem found by the core is reported once, under the name
 * of the connection property or builder method that set the value.
 *
 * @param names core setting name to the user's setting name
 * @param regionHint how to set the region, for the core's "set it explicitly" hint
 */
public record SettingNames(Map<String, String> names, String regionHint) {

  /** The core's hint in its "region: could not be determined" problem. */
  private static final String CORE_REGION_HINT = "region(\"us-east-1\")";

  /**
   * Settings given as connection properties or URL parameters.
   *
   * @param hostSetting where the host came from (e.g. {@code url}, or {@code iamHost})
   * @param portSetting where the port came from (e.g. {@code url}, or {@code iamPort})
   * @param userSetting where the user came from
   */
  public static SettingNames properties(
      String hostSetting, String portSetting, String userSetting) {
    return new SettingNames(
        Map.of(
            "region", IamJdbcConfig.REGION,
            "expiry", IamJdbcConfig.TOKEN_EXPIRY,
            "host", hostSetting,
            "port", portSetting,
            "dbUser", userSetting,
            "role", userSetting),
        IamJdbcConfig.REGION + "=us-east-1");
  }

  /**
   * Settings given on {@link IamJdbcConfig.Builder}: the token provider's settings keep the core's
   * names ({@code IamAuthConfig.Builder.region(…)} is what the user called).
   *
   * @param hostSetting where the host came from
   * @param portSetting where the port came from
   * @param userSetting where the user came from
   */
  public static SettingNames builder(String hostSetting, String portSetting, String userSetting) {
    return new SettingNames(
        Map.of(
            "host", hostSetting,
            "port", portSetting,
            "dbUser", userSetting,
            "role", userSetting),
        "IamJdbcConfig.builder().auth(IamAuthConfig.builder().region(\"us-east-1\"))");
  }

  /**
   * {@code e} with each problem under the user's name for its setting; {@code e} itself (kept as
   * the cause) when nothing is renamed.
   *
   * @param e a configuration problem found by the core
   */
  public IamConfigurationException rename(IamConfigurationException e) {
    List<String> out = new ArrayList<>();
    boolean changed = false;
    for (String p : e.problems()) {
      String q = p;
      int colon = p.indexOf(':');
      if (colon > 0) {
        String user = names.get(p.substring(0, colon));
        if (user != null) {
          q = user + p.substring(colon);
        }
      }
      q = q.replace(CORE_REGION_HINT, regionHint);
      changed |= !q.equals(p);
      out.add(q);
    }
    if (!changed) {
      return e;
    }
    IamConfigurationException x =
        e instanceof CredentialsConfigurationException
            ? new CredentialsConfigurationException(out)
            : new IamConfigurationException(out);
    x.initCause(e);
    return x;
  }
}
