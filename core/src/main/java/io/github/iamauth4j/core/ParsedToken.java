package io.github.iamauth4j.core;

import io.github.iamauth4j.core.internal.SigV4;
import io.github.iamauth4j.core.internal.Texts;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A token taken apart: what it was signed for, by which access key, when, and for how long. Used to
 * inspect a token (the {@code iamauth4j inspect} command) and, with {@link
 * #signatureMatches(String)}, to verify one as the server would (the testkit's emulators).
 *
 * <p>{@link #toString()} shows no secret material: not the signature, not the session token.
 */
public final class ParsedToken {
  private static final String[] REQUIRED = {
    "Action",
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature"
  };

  private final String host;
  private final Map<String, String> parameters;
  private final String accessKeyId;
  private final String dateStamp;
  private final String region;
  private final String service;
  private final Instant signedAt;
  private final Duration expiry;
  private final String signature;

  private ParsedToken(
      String host,
      Map<String, String> parameters,
      String accessKeyId,
      String dateStamp,
      String region,
      String service,
      Instant signedAt,
      Duration expiry,
      String signature) {
    this.host = host;
    this.parameters = parameters;
    this.accessKeyId = accessKeyId;
    this.dateStamp = dateStamp;
    this.region = region;
    this.service = service;
    this.signedAt = signedAt;
    this.expiry = expiry;
    this.signature = signature;
  }

  /**
   * Parses a token ({@code <host>/?<query>}, with or without an {@code https://} prefix).
   *
   * @param token the token
   * @return its parts
   * @throws IllegalArgumentException if it is not a SigV4 presigned token; the message says which
   *     part is wrong and never repeats the token
   */
  public static ParsedToken parse(String token) {
    String t = token.trim();
    if (t.startsWith("https://")) {
      t = t.substring(8);
    } else if (t.startsWith("http://")) {
      t = t.substring(7);
    }
    int q = t.indexOf("/?");
    if (q <= 0) {
      throw new IllegalArgumentException(
          "not an IAM auth token: expected <host>/?<query> (e.g. my-cache/?Action=connect&...)");
    }
    String host = t.substring(0, q);
    // The signer hashes the host byte per char: only printable ASCII can be verified faithfully.
    if (!host.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException(
          "not an IAM auth token: the host is not printable ASCII (expected a name or host:port)");
    }
    Map<String, String> params = new TreeMap<>();
    for (String pair : t.substring(q + 2).split("&", -1)) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("not an IAM auth token: malformed query parameter");
      }
      String key;
      String value;
      try {
        key = SigV4.decode(pair.substring(0, eq));
        value = SigV4.decode(pair.substring(eq + 1));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("not an IAM auth token: " + e.getMessage(), null);
      }
      if (params.put(key, value) != null) {
        throw new IllegalArgumentException(
            "not an IAM auth token: query parameter " + safeName(key) + " appears twice");
      }
    }
    List<String> missing = new ArrayList<>();
    for (String r : REQUIRED) {
      if (!params.containsKey(r)) {
        missing.add(r);
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          "not an IAM auth token: missing " + String.join(", ", missing));
    }
    if (!SigV4.ALGORITHM.equals(params.get("X-Amz-Algorithm"))) {
      throw new IllegalArgumentException(
          "not an IAM auth token: X-Amz-Algorithm is not " + SigV4.ALGORITHM);
    }
    String[] scope = params.get("X-Amz-Credential").split("/", -1);
    if (scope.length != 5 || !"aws4_request".equals(scope[4])) {
      throw new IllegalArgumentException(
          "not an IAM auth token: X-Amz-Credential is not <key>/<date>/<region>/<service>/aws4_request");
    }
    Instant signedAt;
    try {
      signedAt =
          LocalDateTime.parse(
                  params.get("X-Amz-Date"),
                  java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"))
              .toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "not an IAM auth token: X-Amz-Date is not yyyyMMdd'T'HHmmss'Z'", null);
    }
    long expires;
    try {
      expires = Long.parseLong(params.get("X-Amz-Expires"));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "not an IAM auth token: X-Amz-Expires is not a number of seconds", null);
    }
    String signature = params.remove("X-Amz-Signature");
    return new ParsedToken(
        host,
        Collections.unmodifiableMap(params),
        scope[0],
        scope[1],
        scope[2],
        scope[3],
        signedAt,
        Duration.ofSeconds(expires),
        signature);
  }

  private static String safeName(String key) {
    return key.matches("[A-Za-z0-9-]{1,40}") ? key : "(unprintable)";
  }

  /** The signed host: cache or cluster name, endpoint host, or {@code host:port} for RDS. */
  public String host() {
    return host;
  }

  /** The signing name: {@code elasticache}, {@code memorydb}, {@code rds-db} or {@code dsql}. */
  public String service() {
    return service;
  }

  /** The signing region. */
  public String region() {
    return region;
  }

  /** The access key id that signed the token (not a secret). */
  public String accessKeyId() {
    return accessKeyId;
  }

  /** The {@code Action} parameter: {@code connect}, {@code DbConnect} or {@code DbConnectAdmin}. */
  public String action() {
    return parameters.get("Action");
  }

  /** The user the token was signed for ({@code User} or {@code DBUser}), if any. */
  public Optional<String> user() {
    String u = parameters.get("User");
    return Optional.ofNullable(u != null ? u : parameters.get("DBUser"));
  }

  /** The {@code ResourceType} parameter ({@code ServerlessCache}), if present. */
  public Optional<String> resourceType() {
    return Optional.ofNullable(parameters.get("ResourceType"));
  }

  /** When the token was signed. */
  public Instant signedAt() {
    return signedAt;
  }

  /** The signed expiry ({@code X-Amz-Expires}). */
  public Duration expiry() {
    return expiry;
  }

  /** When the token expires: {@code signedAt + expiry}. */
  public Instant expiresAt() {
    return signedAt.plus(expiry);
  }

  /** Whether the token was signed with session credentials ({@code X-Amz-Security-Token}). */
  public boolean hasSessionToken() {
    return parameters.containsKey("X-Amz-Security-Token");
  }

  /**
   * The session token the token carries, if any. It is a secret: for comparing with trusted
   * credentials, never for printing.
   */
  public Optional<String> sessionToken() {
    return Optional.ofNullable(parameters.get("X-Amz-Security-Token"));
  }

  /** The signed headers ({@code host} for every IAM auth token). */
  public String signedHeaders() {
    return parameters.get("X-Amz-SignedHeaders");
  }

  /** All signed query parameters, decoded, sorted by name, without the signature. */
  public Map<String, String> parameters() {
    return parameters;
  }

  /**
   * Whether the signature is the one {@code secretAccessKey} makes over this token's host and
   * parameters: the check the server does. Also false when the credential date is not the date of
   * {@code X-Amz-Date}. Constant-time in the signature.
   *
   * @param secretAccessKey the secret key of {@link #accessKeyId()}
   */
  public boolean signatureMatches(String secretAccessKey) {
    long epochSecond = signedAt.getEpochSecond();
    if (!SigV4.dateStamp(epochSecond).equals(dateStamp)) {
      return false;
    }
    StringBuilder query = new StringBuilder(512);
    for (Map.Entry<String, String> e : parameters.entrySet()) {
      if (query.length() > 0) {
        query.append('&');
      }
      SigV4.appendEncoded(query, e.getKey());
      query.append('=');
      SigV4.appendEncoded(query, e.getValue());
    }
    String expected =
        SigV4.signature(
            secretAccessKey, dateStamp, region, service, SigV4.amzDate(epochSecond), host, query);
    return SigV4.signaturesEqual(expected, signature);
  }

  /** The token's non-secret facts. */
  @Override
  public String toString() {
    return "ParsedToken[service="
        + Texts.printable(service)
        + ", region="
        + Texts.printable(region)
        + ", host="
        + Texts.printable(host)
        + ", action="
        + Texts.printable(String.valueOf(action()))
        + ", user="
        + Texts.printable(user().orElse("-"))
        + ", signedAt="
        + signedAt
        + ", expiry="
        + expiry
        + ", sessionToken="
        + (hasSessionToken() ? "present" : "absent")
        + "]";
  }
}
