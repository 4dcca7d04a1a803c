package io.github.iamauth4j.core.internal;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/** The AWS SDK's default credentials chain, built once per JVM and shared by every generator. */
public final class DefaultCredentials {
  private DefaultCredentials() {}

  /** The shared default chain (built on first use; it caches and refreshes on its own). */
  public static AwsCredentialsProvider provider() {
    return Holder.INSTANCE;
  }

  private static final class Holder {
    static final AwsCredentialsProvider INSTANCE = DefaultCredentialsProvider.builder().build();
  }
}
