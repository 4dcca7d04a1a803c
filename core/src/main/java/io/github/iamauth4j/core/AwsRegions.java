package io.github.iamauth4j.core;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Region names: validation, and detection from AWS endpoint host names.
 *
 * <p>Recognised hosts: RDS and Aurora ({@code <name>.<id>.<region>.rds.amazonaws.com}, China {@code
 * .amazonaws.com.cn}, GovCloud), RDS Proxy, MemoryDB ({@code ….memorydb.<region>.amazonaws.com}),
 * Aurora DSQL ({@code <id>.dsql.<region>.on.aws}) and ElastiCache, whose host names carry a short
 * region code ({@code ….use1.cache.amazonaws.com} is {@code us-east-1}, {@code apse2} is {@code
 * ap-southeast-2}, {@code usgw1} is {@code us-gov-west-1}).
 */
public final class AwsRegions {
  private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d{1,2}");
  private static final Pattern AWS_SUFFIX =
      Pattern.compile(
          ".*\\.(amazonaws\\.com|amazonaws\\.com\\.cn|on\\.aws|c2s\\.ic\\.gov|sc2s\\.sgov\\.gov)");
  private static final Pattern CACHE_SHORT_CODE =
      Pattern.compile(
          ".*\\.(usg|us|eu|ap|sa|ca|me|af|il|mx|cn)(ne|nw|se|sw|n|s|e|w|c)(\\d{1,2})"
              + "\\.cache\\.amazonaws\\.com(\\.cn)?");

  private AwsRegions() {}

  /**
   * Whether {@code region} has the shape of an AWS region name ({@code us-east-1}, {@code
   * us-gov-west-1}, {@code cn-northwest-1}). New regions pass without a library update.
   */
  public static boolean isValid(String region) {
    return REGION.matcher(region).matches();
  }

  /**
   * The region named by an AWS endpoint host name, if it names one.
   *
   * @param host a host name, e.g. {@code db1.abc.eu-west-1.rds.amazonaws.com}
   * @return the region, or empty for a host that is not an AWS endpoint (e.g. {@code localhost}) or
   *     carries no region
   */
  public static Optional<String> fromHost(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    Matcher m = CACHE_SHORT_CODE.matcher(h);
    if (m.matches()) {
      String area = m.group(1).equals("usg") ? "us-gov" : m.group(1);
      return Optional.of(area + "-" + direction(m.group(2)) + "-" + m.group(3));
    }
    if (!AWS_SUFFIX.matcher(h).matches()) {
      return Optional.empty();
    }
    String[] labels = h.split("\\.");
    for (int i = labels.length - 1; i >= 0; i--) {
      if (isValid(labels[i])) {
        return Optional.of(labels[i]);
      }
    }
    return Optional.empty();
  }

  private static String direction(String code) {
    switch (code) {
      case "n":
        return "north";
      case "s":
        return "south";
      case "e":
        return "east";
      case "w":
        return "west";
      case "c":
        return "central";
      case "ne":
        return "northeast";
      case "nw":
        return "northwest";
      case "se":
        return "southeast";
      default:
        return "southwest";
    }
  }
}
