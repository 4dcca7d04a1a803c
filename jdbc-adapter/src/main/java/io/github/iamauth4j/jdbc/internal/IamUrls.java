package io.github.iamauth4j.jdbc.internal;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.internal.Texts;
import org.jspecify.annotations.Nullable;

/**
 * Reads {@code jdbc:iamauth4j:<engine>://…} URLs (and plain driver URLs) into the engine and the
 * real driver's URL.
 */
public final class IamUrls {
  /** The prefix of iamauth4j URLs. */
  public static final String PREFIX = "jdbc:iamauth4j:";

  private IamUrls() {}

  /**
   * A URL read: the engine when the URL says it ({@code dsql}), and the real driver's URL.
   *
   * @param engine the engine named by an iamauth4j URL, or null for a plain driver URL
   * @param url the real driver's URL
   */
  public record Parsed(@Nullable Engine engine, JdbcUrl url) {}

  /**
   * Whether {@code url} is an iamauth4j URL.
   *
   * @param url a JDBC URL
   */
  public static boolean isIamUrl(@Nullable String url) {
    return url != null && url.regionMatches(true, 0, PREFIX, 0, PREFIX.length());
  }

  /**
   * Reads an iamauth4j URL ({@code jdbc:iamauth4j:dsql://h} becomes {@code
   * jdbc:postgresql://h/postgres}) or a plain driver URL.
   *
   * @param url the URL
   * @param setting the setting to name in errors
   * @throws IamConfigurationException naming the setting if it cannot be read
   */
  public static Parsed parse(String url, String setting) {
    if (!isIamUrl(url)) {
      return new Parsed(null, JdbcUrl.parse(url, setting));
    }
    String rest = url.substring(PREFIX.length());
    int colon = rest.indexOf(':');
    String scheme = colon < 0 ? rest : rest.substring(0, colon);
    Engine engine =
        Engine.forIamScheme(scheme)
            .orElseThrow(
                () ->
                    new IamConfigurationException(
                        setting
                            + ": engine "
                            + Texts.quoteIfSafe(scheme)
                            + " is not supported (expected jdbc:iamauth4j:postgresql://,"
                            + " jdbc:iamauth4j:mysql://, jdbc:iamauth4j:mariadb:// or"
                            + " jdbc:iamauth4j:dsql://)"));
    String driverUrl = "jdbc:" + engine.driverScheme() + (colon < 0 ? "" : rest.substring(colon));
    JdbcUrl parsed = JdbcUrl.parse(driverUrl, setting);
    if (engine == Engine.DSQL && parsed.path().isEmpty()) {
      // DSQL has one database, postgres.
      parsed = JdbcUrl.parse(driverUrl.replaceFirst("(//[^/?#]*)", "$1/postgres"), setting);
    }
    return new Parsed(engine == Engine.DSQL ? Engine.DSQL : null, parsed);
  }
}
