package io.github.iamauth4j.testkit.verify;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Test credentials an emulator trusts, standing in for an IAM identity. Give the same ones to the
 * client under test ({@link #asProvider()}, or the environment variables that {@link #exports()}
 * prints). {@link #toString()} shows only the access key id.
 */
public final class TrustedCredentials {
  private final String accessKeyId;
  private final String secretAccessKey;
  private final @Nullable String sessionToken;
  private final @Nullable Instant expiration;

  private TrustedCredentials(
      String accessKeyId,
      String secretAccessKey,
      @Nullable String sessionToken,
      @Nullable Instant expiration) {
    this.accessKeyId = Objects.requireNonNull(accessKeyId, "accessKeyId");
    this.secretAccessKey = Objects.requireNonNull(secretAccessKey, "secretAccessKey");
    this.sessionToken = sessionToken;
    this.expiration = expiration;
  }

  /** AWS's documented example key pair ({@code AKIAIOSFODNN7EXAMPLE}), long-term. */
  public static TrustedCredentials example() {
    return of("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  }

  /**
   * Long-term credentials.
   *
   * @param accessKeyId the access key id
   * @param secretAccessKey the secret key
   */
  public static TrustedCredentials of(String accessKeyId, String secretAccessKey) {
    return new TrustedCredentials(accessKeyId, secretAccessKey, null, null);
  }

  /**
   * Temporary (STS) credentials: tokens must carry this session token, and are refused once {@code
   * expiration} passes, even within their own 15 minutes (as users report of AWS).
   *
   * @param accessKeyId the access key id
   * @param secretAccessKey the secret key
   * @param sessionToken the session token
   * @param expiration when the session ends, or null for never
   */
  public static TrustedCredentials session(
      String accessKeyId,
      String secretAccessKey,
      String sessionToken,
      @Nullable Instant expiration) {
    return new TrustedCredentials(
        accessKeyId, secretAccessKey, Objects.requireNonNull(sessionToken), expiration);
  }

  /** The access key id (not a secret). */
  public String accessKeyId() {
    return accessKeyId;
  }

  /** The secret key. Never log it. */
  public String secretAccessKey() {
    return secretAccessKey;
  }

  /** The session token, for temporary credentials. Never log it. */
  public Optional<String> sessionToken() {
    return Optional.ofNullable(sessionToken);
  }

  /** When temporary credentials end, if they do. */
  public Optional<Instant> expiration() {
    return Optional.ofNullable(expiration);
  }

  /** The same credentials as AWS SDK credentials (with their expiration). */
  public AwsCredentials asAwsCredentials() {
    if (sessionToken == null) {
      return AwsBasicCredentials.create(accessKeyId, secretAccessKey);
    }
    return AwsSessionCredentials.builder()
        .accessKeyId(accessKeyId)
        .secretAccessKey(secretAccessKey)
        .sessionToken(sessionToken)
        .expirationTime(expiration)
        .build();
  }

  /** A static credentials provider handing out these credentials. */
  public AwsCredentialsProvider asProvider() {
    return StaticCredentialsProvider.create(asAwsCredentials());
  }

  /**
   * Shell lines that make the AWS SDK's default chain find these credentials ({@code export
   * AWS_ACCESS_KEY_ID=…}). They contain the secret: print them only for local test identities.
   */
  public String exports() {
    StringBuilder sb = new StringBuilder();
    sb.append("export AWS_ACCESS_KEY_ID=").append(accessKeyId).append('\n');
    sb.append("export AWS_SECRET_ACCESS_KEY=").append(secretAccessKey).append('\n');
    if (sessionToken != null) {
      sb.append("export AWS_SESSION_TOKEN=").append(sessionToken).append('\n');
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "TrustedCredentials[" + accessKeyId + (sessionToken != null ? ", session" : "") + "]";
  }
}
