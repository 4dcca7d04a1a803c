package io.github.iamauth4j.core;

import io.github.iamauth4j.core.internal.SigV4;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * The SigV4 query presigner that makes IAM auth tokens: a presigned {@code GET /} on the target's
 * signed host, returned without its scheme ({@code <host>/?<query>&X-Amz-Signature=…}).
 *
 * <p>Pure: every input, the instant included, is an argument, so the same inputs give the same
 * token. Byte-compatible with the AWS SDK for Java v2. Thread-safe; the derived signing key is
 * cached per (secret, UTC day, region, service). Most callers want {@link IamTokenProvider}
 * instead, which adds credentials, caching and refresh.
 */
public final class SigV4Presigner {
  private static final SigV4Presigner INSTANCE = new SigV4Presigner();

  private SigV4Presigner() {}

  /** The presigner (stateless apart from the shared signing-key cache). */
  public static SigV4Presigner create() {
    return INSTANCE;
  }

  /**
   * Signs a token.
   *
   * @param target what the token authorises
   * @param region the signing region, e.g. {@code us-east-1}
   * @param credentials the signing credentials; session credentials add a signed {@code
   *     X-Amz-Security-Token}
   * @param signedAt the signing instant (truncated to the second)
   * @param expiry the signed expiry, 1 second to {@link IamTarget#maxExpiry()}
   * @return the token
   * @throws IllegalArgumentException if the expiry is out of range
   */
  public String presign(
      IamTarget target,
      String region,
      AwsCredentialsIdentity credentials,
      Instant signedAt,
      Duration expiry) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(credentials, "credentials");
    long expirySeconds = expiry.getSeconds();
    if (expirySeconds < 1 || expiry.compareTo(target.maxExpiry()) > 0) {
      throw new IllegalArgumentException(
          "expiry: "
              + expiry
              + " is out of range (expected 1 second to "
              + target.maxExpiry()
              + ")");
    }
    long epochSecond = signedAt.getEpochSecond();
    String dateStamp = SigV4.dateStamp(epochSecond);
    String amzDate = SigV4.amzDate(epochSecond);
    String service = target.signingName();
    String sessionToken =
        credentials instanceof AwsSessionCredentialsIdentity s ? s.sessionToken() : null;

    String host = target.signedHost();
    StringBuilder token = new StringBuilder(host.length() + 512);
    token.append(host).append("/?");
    int queryStart = token.length();
    token.append(target.canonicalParameters());
    token.append("&X-Amz-Algorithm=").append(SigV4.ALGORITHM);
    token.append("&X-Amz-Credential=");
    SigV4.appendEncoded(token, credentials.accessKeyId());
    token.append("%2F").append(dateStamp).append("%2F").append(region).append("%2F");
    token.append(service).append("%2Faws4_request");
    token.append("&X-Amz-Date=").append(amzDate);
    token.append("&X-Amz-Expires=").append(expirySeconds);
    if (sessionToken != null) {
      token.append("&X-Amz-Security-Token=");
      SigV4.appendEncoded(token, sessionToken);
    }
    token.append("&X-Amz-SignedHeaders=host");
    String signature =
        SigV4.signature(
            credentials.secretAccessKey(),
            dateStamp,
            region,
            service,
            amzDate,
            host,
            token,
            queryStart,
            token.length());
    token.append("&X-Amz-Signature=").append(signature);
    return token.toString();
  }
}
