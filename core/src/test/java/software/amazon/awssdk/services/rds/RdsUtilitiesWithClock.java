package software.amazon.awssdk.services.rds;

import java.time.Clock;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * Test-only door into the AWS SDK's {@code DefaultRdsUtilities}: its public builder has no clock,
 * but the SDK's own tests construct it with one through this package-private constructor. Living in
 * the SDK's package (on the class path, not as a module) is what lets the equality tests pin the
 * signing instant.
 */
public final class RdsUtilitiesWithClock {
  private RdsUtilitiesWithClock() {}

  /** {@code RdsUtilities} with a fixed region, credentials provider and clock. */
  public static RdsUtilities create(
      Region region, AwsCredentialsProvider credentials, Clock clock) {
    DefaultRdsUtilities.DefaultBuilder builder = new DefaultRdsUtilities.DefaultBuilder();
    builder.region(region).credentialsProvider(credentials);
    return new DefaultRdsUtilities(builder, clock);
  }
}
