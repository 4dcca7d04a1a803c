package io.github.iamauth4j.jdbc;

import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * The emulators' trusted example credentials, for {@code iamCredentialsProvider=} in URLs (made by
 * its public no-argument constructor).
 */
public final class ExampleCredentialsProvider implements AwsCredentialsProvider {
  /** Made by class name. */
  public ExampleCredentialsProvider() {}

  @Override
  public AwsCredentials resolveCredentials() {
    return TrustedCredentials.example().asAwsCredentials();
  }
}
