package io.github.iamauth4j.benchmarks;

import io.github.iamauth4j.core.IamTarget;
import java.lang.reflect.Constructor;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Random;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsUtilities;

/**
 * The fixed inputs every benchmark signs, so that all paths do the same work: one instant, one
 * region, AWS's example keys, a realistic STS session token, one RDS and one ElastiCache target.
 */
final class Inputs {
  static final String REGION = "us-east-1";
  static final Instant AT = Instant.parse("2025-01-01T00:00:00Z");
  static final Clock FIXED_CLOCK = Clock.fixed(AT, ZoneOffset.UTC);
  static final String ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
  static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

  /**
   * A stand-in for an STS session token: 885 base64 characters (STS tokens are usually 700 to
   * 1,200), with the {@code +}, {@code /} and {@code =} that percent-encoding has to expand.
   */
  static final String SESSION_TOKEN = sessionToken();

  static final String RDS_HOST = "db1.c9akciq32xyz.us-east-1.rds.amazonaws.com";
  static final int RDS_PORT = 5432;
  static final String RDS_USER = "app_user";
  static final String CACHE_NAME = "orders-cache";
  static final String CACHE_USER = "app-user";

  private Inputs() {}

  private static String sessionToken() {
    byte[] bytes = new byte[651];
    new Random(42).nextBytes(bytes);
    return "IQoJb3JpZ2luX2VjE" + Base64.getEncoder().encodeToString(bytes);
  }

  static AwsCredentials credentials(boolean session) {
    return session
        ? AwsSessionCredentials.create(ACCESS_KEY_ID, SECRET, SESSION_TOKEN)
        : AwsBasicCredentials.create(ACCESS_KEY_ID, SECRET);
  }

  static IamTarget target(String name) {
    return switch (name) {
      case "rds" -> IamTarget.rds(RDS_HOST, RDS_PORT, RDS_USER);
      case "elasticache" -> IamTarget.elastiCache(CACHE_NAME, CACHE_USER);
      default -> throw new IllegalArgumentException("target: \"" + name + "\" is unknown");
    };
  }

  /**
   * The request the AWS SDK signs for the same token: {@code GET http://<signed host>/} with the
   * service's parameters, as AWS's ElastiCache IAM sample builds it (plain {@code http}, so the SDK
   * signs the empty payload's hash instead of {@code UNSIGNED-PAYLOAD}).
   */
  static SdkHttpRequest sdkRequest(IamTarget target) {
    SdkHttpRequest.Builder b =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.GET)
            .uri(URI.create("http://" + target.signedHost() + "/"));
    target.parameters().forEach(b::appendRawQueryParameter);
    return b.build();
  }

  /**
   * {@link RdsUtilities} on the fixed clock. The SDK has no public clock setting, so this reaches
   * its package-private test constructor {@code DefaultRdsUtilities(DefaultBuilder, Clock)}; on the
   * class path, reflection may do that.
   */
  static RdsUtilities rdsUtilities(boolean session) {
    try {
      Class<?> builderClass =
          Class.forName("software.amazon.awssdk.services.rds.DefaultRdsUtilities$DefaultBuilder");
      Constructor<?> newBuilder = builderClass.getDeclaredConstructor();
      newBuilder.setAccessible(true);
      RdsUtilities.Builder builder = (RdsUtilities.Builder) newBuilder.newInstance();
      builder
          .region(Region.of(REGION))
          .credentialsProvider(StaticCredentialsProvider.create(credentials(session)));
      Constructor<?> newUtilities =
          Class.forName("software.amazon.awssdk.services.rds.DefaultRdsUtilities")
              .getDeclaredConstructor(builderClass, Clock.class);
      newUtilities.setAccessible(true);
      return (RdsUtilities) newUtilities.newInstance(builder, FIXED_CLOCK);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "this AWS SDK version has no DefaultRdsUtilities(DefaultBuilder, Clock) constructor", e);
    }
  }

  /** The signature at the end of a token. */
  static String signatureOf(String token) {
    int at = token.lastIndexOf("X-Amz-Signature=");
    if (at < 0) {
      throw new IllegalStateException("not a presigned token");
    }
    return token.substring(at + "X-Amz-Signature=".length());
  }
}
