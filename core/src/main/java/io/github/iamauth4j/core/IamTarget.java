package io.github.iamauth4j.core;

import io.github.iamauth4j.core.internal.SigV4;
import io.github.iamauth4j.core.internal.Texts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What an IAM auth token authorises: one user on one ElastiCache cache, MemoryDB cluster, RDS
 * endpoint or Aurora DSQL cluster. Immutable; inputs are validated and normalised when it is made.
 *
 * <pre>{@code
 * IamTarget cache = IamTarget.elastiCache("orders", "app");          // replication group
 * IamTarget serverless = IamTarget.elastiCacheServerless("orders", "app");
 * IamTarget memorydb = IamTarget.memoryDb("sessions", "app");
 * IamTarget db = IamTarget.rds("db1.abc.eu-west-1.rds.amazonaws.com", 5432, "app");
 * IamTarget dsql = IamTarget.dsql("abc123.dsql.us-east-1.on.aws", "admin");
 * }</pre>
 */
public final class IamTarget {

  /** The kinds of target, each with its own signing name and parameters. */
  public enum Kind {
    /** An ElastiCache replication group (cluster mode on or off). */
    ELASTICACHE("elasticache", "ElastiCache cache"),
    /** An ElastiCache Serverless cache: signed with {@code ResourceType=ServerlessCache}. */
    ELASTICACHE_SERVERLESS("elasticache", "ElastiCache Serverless cache"),
    /** A MemoryDB cluster. */
    MEMORYDB("memorydb", "MemoryDB cluster"),
    /** An RDS or Aurora instance, cluster or RDS Proxy endpoint. */
    RDS("rds-db", "RDS endpoint"),
    /** An Aurora DSQL cluster endpoint. */
    DSQL("dsql", "Aurora DSQL cluster");

    private final String signingName;
    private final String label;

    Kind(String signingName, String label) {
      this.signingName = signingName;
      this.label = label;
    }

    /**
     * The SigV4 signing name ({@code elasticache}, {@code memorydb}, {@code rds-db}, {@code dsql}).
     */
    public String signingName() {
      return signingName;
    }

    /** A human label, e.g. {@code ElastiCache cache}. */
    public String label() {
      return label;
    }
  }

  /** Tokens of every service are accepted for 15 minutes. */
  public static final Duration DEFAULT_EXPIRY = Duration.ofMinutes(15);

  /** Aurora DSQL accepts tokens valid for up to a week. */
  public static final Duration DSQL_MAX_EXPIRY = Duration.ofDays(7);

  private static final Pattern CACHE_NAME = Pattern.compile("[a-zA-Z][a-zA-Z0-9]*(-[a-zA-Z0-9]+)*");
  private static final Pattern CACHE_USER = Pattern.compile("(?:default\\.)?[a-zA-Z][a-zA-Z0-9-]*");
  private static final Pattern HOST =
      Pattern.compile(
          "(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
              + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
  private static final int MAX_NAME = 40;
  private static final int MAX_DB_USER = 128;

  private final Kind kind;
  private final String resource;
  private final int port;
  private final String userName;
  private final String signedHost;
  private final Map<String, String> parameters;
  // What every token for this target starts with, and how its canonical request ends, as ASCII
  // bytes: the presigner copies them instead of encoding them again for each token.
  final byte[] tokenPrefix;
  final byte[] canonicalRequestSuffix;

  private IamTarget(
      Kind kind, String resource, int port, String userName, Map<String, String> parameters) {
    this.kind = kind;
    this.resource = resource;
    this.port = port;
    this.userName = userName;
    // As the AWS SDKs do: an HTTPS URL's default port 443 is not part of the signed host.
    this.signedHost = port > 0 && port != 443 ? resource + ":" + port : resource;
    // Sorted by name, as parameters() documents.
    this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(new TreeMap<>(parameters)));
    // Every service parameter name sorts before "X-Amz-" (they start with A, D, R or U), so the
    // canonical query is these, then the X-Amz-* parameters in their fixed order.
    StringBuilder q = new StringBuilder();
    this.parameters.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              if (q.length() > 0) {
                q.append('&');
              }
              SigV4.appendEncoded(q, e.getKey());
              q.append('=');
              SigV4.appendEncoded(q, e.getValue());
            });
    String canonicalParameters = q.toString();
    // The signed host is validated ASCII and the parameters are percent-encoded: all ASCII.
    this.tokenPrefix =
        (signedHost + "/?" + canonicalParameters).getBytes(StandardCharsets.US_ASCII);
    this.canonicalRequestSuffix =
        ("\nhost:" + signedHost + "\n\nhost\n" + SigV4.EMPTY_PAYLOAD_SHA256)
            .getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * An ElastiCache replication group (Valkey or Redis OSS, cluster mode on or off).
   *
   * @param replicationGroupId the replication group id; lowercased, as ElastiCache stores it
   * @param userId the ElastiCache user id (equal to its user name for IAM users); lowercased
   * @throws IamConfigurationException naming each invalid argument
   */
  public static IamTarget elastiCache(String replicationGroupId, String userId) {
    return cache(Kind.ELASTICACHE, replicationGroupId, userId);
  }

  /**
   * An ElastiCache Serverless cache. Its tokens carry {@code ResourceType=ServerlessCache}; using
   * the wrong kind yields {@code WRONGPASS}.
   *
   * @param cacheName the serverless cache name; lowercased
   * @param userId the ElastiCache user id; lowercased
   * @throws IamConfigurationException naming each invalid argument
   */
  public static IamTarget elastiCacheServerless(String cacheName, String userId) {
    return cache(Kind.ELASTICACHE_SERVERLESS, cacheName, userId);
  }

  private static IamTarget cache(Kind kind, String name, String userId) {
    List<String> problems = new ArrayList<>();
    String n = checkName(problems, "cacheName", name);
    String u = checkCacheUser(problems, "userId", userId);
    throwIfAny(problems);
    Map<String, String> params = new LinkedHashMap<>();
    params.put("Action", "connect");
    params.put("User", u);
    if (kind == Kind.ELASTICACHE_SERVERLESS) {
      params.put("ResourceType", "ServerlessCache");
    }
    return new IamTarget(kind, n, -1, u, params);
  }

  /**
   * A MemoryDB cluster.
   *
   * @param clusterName the cluster name (the signed host), signed as given
   * @param userName the MemoryDB user name (ACL user), signed as given
   * @throws IamConfigurationException naming each invalid argument
   */
  public static IamTarget memoryDb(String clusterName, String userName) {
    List<String> problems = new ArrayList<>();
    checkName(problems, "clusterName", clusterName);
    checkCacheUser(problems, "userName", userName);
    throwIfAny(problems);
    // MemoryDB is not documented to lowercase names: sign them exactly as given.
    String n = clusterName;
    String u = userName;
    Map<String, String> params = new LinkedHashMap<>();
    params.put("Action", "connect");
    params.put("User", u);
    return new IamTarget(Kind.MEMORYDB, n, -1, u, params);
  }

  /**
   * An RDS or Aurora endpoint (instance, cluster, reader or custom endpoint, or an RDS Proxy
   * endpoint): the host and port the client connects to.
   *
   * @param host the endpoint host name, lowercased (DNS names are case-insensitive)
   * @param port the endpoint port, 1 to 65535; signed with the host except 443, as the AWS SDKs do
   * @param dbUser the database user; any characters the database allows except control characters,
   *     at most 128
   * @throws IamConfigurationException naming each invalid argument
   */
  public static IamTarget rds(String host, int port, String dbUser) {
    List<String> problems = new ArrayList<>();
    String h = checkHost(problems, "host", host);
    if (port < 1 || port > 65535) {
      problems.add("port: " + port + " is not a TCP port (expected 1 to 65535)");
    }
    checkDbUser(problems, "dbUser", dbUser);
    throwIfAny(problems);
    Map<String, String> params = new LinkedHashMap<>();
    params.put("Action", "connect");
    params.put("DBUser", dbUser);
    return new IamTarget(Kind.RDS, h, port, dbUser, params);
  }

  /**
   * An Aurora DSQL cluster endpoint. The role {@code admin} is signed with {@code
   * Action=DbConnectAdmin}, every other role with {@code Action=DbConnect}.
   *
   * @param host the cluster endpoint, without port
   * @param role the PostgreSQL role to connect as
   * @throws IamConfigurationException naming each invalid argument
   */
  public static IamTarget dsql(String host, String role) {
    List<String> problems = new ArrayList<>();
    String h = checkHost(problems, "host", host);
    checkDbUser(problems, "role", role);
    throwIfAny(problems);
    Map<String, String> params = new LinkedHashMap<>();
    params.put("Action", "admin".equals(role) ? "DbConnectAdmin" : "DbConnect");
    return new IamTarget(Kind.DSQL, h, -1, role, params);
  }

  /**
   * An Aurora DSQL cluster endpoint, as the {@code admin} role.
   *
   * @param host the cluster endpoint, without port
   * @throws IamConfigurationException if the host is invalid
   */
  public static IamTarget dsqlAdmin(String host) {
    return dsql(host, "admin");
  }

  private static String checkName(List<String> problems, String setting, String value) {
    Objects.requireNonNull(value, setting);
    if (value.isEmpty() || value.length() > MAX_NAME || !CACHE_NAME.matcher(value).matches()) {
      problems.add(
          setting
              + ": "
              + Texts.quoteIfSafe(value)
              + " is not a valid name (expected 1 to 40 letters, digits and single hyphens,"
              + " starting with a letter, e.g. \"orders-cache\")");
    }
    return value.toLowerCase(Locale.ROOT);
  }

  private static String checkCacheUser(List<String> problems, String setting, String value) {
    Objects.requireNonNull(value, setting);
    if (value.isEmpty() || value.length() > MAX_NAME || !CACHE_USER.matcher(value).matches()) {
      problems.add(
          setting
              + ": "
              + Texts.quoteIfSafe(value)
              + " is not a valid user id (expected 1 to 40 letters, digits and hyphens,"
              + " starting with a letter, e.g. \"app-user\")");
    }
    return value.toLowerCase(Locale.ROOT);
  }

  private static String checkHost(List<String> problems, String setting, String value) {
    Objects.requireNonNull(value, setting);
    String v = value.endsWith(".") ? value.substring(0, value.length() - 1) : value;
    if (!HOST.matcher(v).matches()) {
      problems.add(
          setting
              + ": "
              + Texts.quoteIfSafe(value)
              + " is not a host name (expected the endpoint's DNS name without scheme or port,"
              + " e.g. \"db1.abc123.eu-west-1.rds.amazonaws.com\")");
    }
    return v.toLowerCase(Locale.ROOT);
  }

  private static void checkDbUser(List<String> problems, String setting, String value) {
    Objects.requireNonNull(value, setting);
    boolean control = value.codePoints().anyMatch(Character::isISOControl);
    // An unpaired surrogate has no UTF-8 form: it would be signed as "?", another user.
    boolean unpaired = value.codePoints().anyMatch(c -> c >= 0xD800 && c <= 0xDFFF);
    if (value.isEmpty() || value.length() > MAX_DB_USER || control || unpaired) {
      problems.add(
          setting
              + ": "
              + (value.isEmpty() ? "is empty" : Texts.quoteIfSafe(value) + " is not valid")
              + " (expected 1 to 128 characters, no control characters, valid Unicode)");
    }
  }

  private static void throwIfAny(List<String> problems) {
    if (!problems.isEmpty()) {
      throw new IamConfigurationException(problems);
    }
  }

  /** The kind of target. */
  public Kind kind() {
    return kind;
  }

  /** The SigV4 signing name of the service. */
  public String signingName() {
    return kind.signingName();
  }

  /**
   * The user name the client presents with the token: the ElastiCache user id, the MemoryDB user,
   * the database user or the DSQL role.
   */
  public String userName() {
    return userName;
  }

  /**
   * The resource: cache or cluster name (normalised) for ElastiCache and MemoryDB, the endpoint
   * host for RDS and DSQL.
   */
  public String resource() {
    return resource;
  }

  /** The RDS port, or -1 for targets that sign no port. */
  public int port() {
    return port;
  }

  /**
   * The value of the signed {@code host} header: the name, the host, or {@code host:port} (RDS; the
   * host alone on port 443, as the AWS SDKs sign it).
   */
  public String signedHost() {
    return signedHost;
  }

  /** The service's own query parameters (decoded, sorted by name). */
  public Map<String, String> parameters() {
    return parameters;
  }

  /** The longest expiry the service accepts: 15 minutes, or 7 days for Aurora DSQL. */
  public Duration maxExpiry() {
    return kind == Kind.DSQL ? DSQL_MAX_EXPIRY : DEFAULT_EXPIRY;
  }

  /**
   * The region named by this target's host, for RDS and DSQL endpoints on AWS host names; empty for
   * ElastiCache and MemoryDB, whose signed host is a name (give the endpoint to {@link
   * IamTokenGenerator.Builder#endpoint(String)} instead).
   */
  public Optional<String> regionFromHost() {
    return kind == Kind.RDS || kind == Kind.DSQL ? AwsRegions.fromHost(resource) : Optional.empty();
  }

  /**
   * A description for messages, e.g. {@code ElastiCache cache "orders" (user "app")}. A user name
   * that could be hostile is not repeated.
   */
  public String description() {
    String who = kind == Kind.DSQL ? "role" : "user";
    return kind.label()
        + " \""
        + signedHost
        + "\" ("
        + who
        + " "
        + Texts.quoteIfSafe(userName)
        + ")";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IamTarget t
        && kind == t.kind
        && port == t.port
        && resource.equals(t.resource)
        && userName.equals(t.userName)
        && parameters.equals(t.parameters);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, resource, port, userName, parameters);
  }

  @Override
  public String toString() {
    return description();
  }
}
