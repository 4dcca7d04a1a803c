package io.github.iamauth4j.jdbc.internal;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.internal.Texts;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A single-host JDBC URL of pgjdbc, MySQL Connector/J or MariaDB Connector/J: {@code
 * jdbc:<scheme>://<host>[:<port>][/<path>][?<k>=<v>&…]}. Parameters keep their raw (encoded) form
 * so that the URL handed to the real driver is the one the user wrote, minus what was removed.
 * Messages never repeat the URL: it may carry a password.
 */
public final class JdbcUrl {
  private final String scheme;
  private final String host;
  private final boolean bracketed;
  private final int port;
  private final String path;
  private final List<Param> params;

  /** One query parameter: raw text as written and decoded key and value. */
  private record Param(String raw, String key, String value) {}

  private JdbcUrl(
      String scheme, String host, boolean bracketed, int port, String path, List<Param> params) {
    this.scheme = scheme;
    this.host = host;
    this.bracketed = bracketed;
    this.port = port;
    this.path = path;
    this.params = List.copyOf(params);
  }

  /**
   * Parses a driver URL such as {@code jdbc:postgresql://db.example.com:5432/app?sslmode=require}.
   *
   * @param url the URL
   * @param setting the setting to name in errors, e.g. {@code url} or {@code jdbcUrl}
   * @throws IamConfigurationException naming the setting if it is not a single-host URL of a known
   *     driver
   */
  public static JdbcUrl parse(String url, String setting) {
    String expected =
        " (expected jdbc:<postgresql|mysql|mariadb>://<host>[:<port>][/<database>][?<parameters>])";
    if (!url.regionMatches(true, 0, "jdbc:", 0, 5)) {
      throw new IamConfigurationException(setting + ": does not start with \"jdbc:\"" + expected);
    }
    int colon = url.indexOf(':', 5);
    if (colon < 0) {
      throw new IamConfigurationException(setting + ": names no driver" + expected);
    }
    String scheme = url.substring(5, colon).toLowerCase(Locale.ROOT);
    if (Engine.forDriverScheme(scheme).isEmpty()) {
      throw new IamConfigurationException(
          setting + ": driver " + Texts.quoteIfSafe(scheme) + " is not supported" + expected);
    }
    if (!url.startsWith("//", colon + 1)) {
      throw new IamConfigurationException(
          setting
              + ": only the single-host form jdbc:"
              + scheme
              + "://<host>… is supported (no load-balancing, replication or failover"
              + " sub-protocols, no host-less form: an IAM token is signed for one host)"
              + expected);
    }
    String rest = url.substring(colon + 3);
    int end = firstOf(rest, "/?#");
    String authority = end < 0 ? rest : rest.substring(0, end);
    String tail = end < 0 ? "" : rest.substring(end);
    if (authority.contains("@")) {
      throw new IamConfigurationException(
          setting
              + ": user information before the host is not supported (give the user in the"
              + " \"user\" property or the user/username setting; the password is the token)");
    }
    if (authority.contains(",") || authority.contains("(") || authority.contains("=")) {
      throw new IamConfigurationException(
          setting
              + ": names several hosts; an IAM token is signed for one host and port, so use one"
              + " host per URL (for clusters with failover, use aws-advanced-jdbc-wrapper with the"
              + " iamauth4j plugin)");
    }
    String host;
    boolean bracketed = false;
    String portText = null;
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close < 0) {
        throw new IamConfigurationException(setting + ": unclosed \"[\" in the host" + expected);
      }
      host = authority.substring(1, close);
      bracketed = true;
      String after = authority.substring(close + 1);
      if (after.startsWith(":")) {
        portText = after.substring(1);
      } else if (!after.isEmpty()) {
        throw new IamConfigurationException(
            setting + ": unexpected text after the host" + expected);
      }
    } else {
      int c = authority.lastIndexOf(':');
      host = c < 0 ? authority : authority.substring(0, c);
      portText = c < 0 ? null : authority.substring(c + 1);
    }
    if (host.isEmpty()) {
      throw new IamConfigurationException(setting + ": names no host" + expected);
    }
    int port = -1;
    if (portText != null) {
      try {
        port = Integer.parseInt(portText);
      } catch (NumberFormatException e) {
        port = 0;
      }
      if (port < 1 || port > 65535) {
        throw new IamConfigurationException(
            setting + ": port " + Texts.quoteIfSafe(portText) + " is not a TCP port (1 to 65535)");
      }
    }
    int hash = tail.indexOf('#');
    if (hash >= 0) {
      tail = tail.substring(0, hash);
    }
    int q = tail.indexOf('?');
    String path = q < 0 ? tail : tail.substring(0, q);
    List<Param> params = new ArrayList<>();
    if (q >= 0) {
      for (String raw : tail.substring(q + 1).split("&")) {
        if (raw.isEmpty()) {
          continue;
        }
        int eq = raw.indexOf('=');
        String k = eq < 0 ? raw : raw.substring(0, eq);
        String v = eq < 0 ? "" : raw.substring(eq + 1);
        params.add(new Param(raw, decode(k, setting), decode(v, setting)));
      }
    }
    return new JdbcUrl(scheme, host, bracketed, port, path, params);
  }

  private static int firstOf(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  private static String decode(String s, String setting) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IamConfigurationException(
          setting + ": a parameter is not valid percent-encoding (e.g. a lone \"%\")");
    }
  }

  /** The driver's sub-protocol: {@code postgresql}, {@code mysql} or {@code mariadb}. */
  public String scheme() {
    return scheme;
  }

  /** The host as written (without IPv6 brackets). */
  public String host() {
    return host;
  }

  /** The port, or -1 when the URL names none. */
  public int port() {
    return port;
  }

  /** The path after the authority, e.g. {@code /app}, or empty. */
  public String path() {
    return path;
  }

  /**
   * The values of a parameter, in URL order; keys match ignoring case.
   *
   * @param key the parameter
   */
  public List<String> values(String key) {
    List<String> out = new ArrayList<>();
    for (Param p : params) {
      if (p.key.equalsIgnoreCase(key)) {
        out.add(p.value);
      }
    }
    return out;
  }

  /**
   * The last value of a parameter (drivers let the last one win), if present.
   *
   * @param key the parameter, matched ignoring case
   */
  public Optional<String> value(String key) {
    List<String> v = values(key);
    return v.isEmpty() ? Optional.empty() : Optional.of(v.get(v.size() - 1));
  }

  /** The decoded parameter names in URL order. */
  public List<String> keys() {
    List<String> out = new ArrayList<>();
    params.forEach(p -> out.add(p.key));
    return out;
  }

  /**
   * This URL without the parameters whose (decoded) name matches.
   *
   * @param drop which parameters to remove
   */
  public JdbcUrl without(Predicate<String> drop) {
    List<Param> kept = new ArrayList<>();
    for (Param p : params) {
      if (!drop.test(p.key)) {
        kept.add(p);
      }
    }
    return new JdbcUrl(scheme, host, bracketed, port, path, kept);
  }

  /**
   * This URL with another sub-protocol, e.g. {@code postgresql} for a {@code dsql} URL.
   *
   * @param newScheme the driver scheme
   */
  public JdbcUrl withScheme(String newScheme) {
    return new JdbcUrl(newScheme, host, bracketed, port, path, params);
  }

  /**
   * This URL with the port set when it names none.
   *
   * @param defaultPort the port to add
   */
  public JdbcUrl withPortIfAbsent(int defaultPort) {
    return port > 0 ? this : new JdbcUrl(scheme, host, bracketed, defaultPort, path, params);
  }

  /**
   * The URL text: the driver URL to hand over. May contain a password: never log it.
   *
   * @return e.g. {@code jdbc:postgresql://db:5432/app?sslmode=verify-full}
   */
  public String text() {
    StringBuilder sb = new StringBuilder("jdbc:").append(scheme).append("://");
    sb.append(bracketed ? "[" + host + "]" : host);
    if (port > 0) {
      sb.append(':').append(port);
    }
    sb.append(path);
    String sep = "?";
    for (Param p : params) {
      sb.append(sep).append(p.raw);
      sep = "&";
    }
    return sb.toString();
  }

  /** The scheme, host and port only (parameters may hold secrets). */
  @Override
  public String toString() {
    return "jdbc:"
        + scheme
        + "://"
        + (bracketed ? "[" + host + "]" : host)
        + (port > 0 ? ":" + port : "")
        + path
        + (params.isEmpty() ? "" : "?…");
  }
}
