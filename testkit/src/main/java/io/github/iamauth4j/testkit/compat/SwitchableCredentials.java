package io.github.iamauth4j.testkit.compat;

import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/** AWS credentials that the kit can take down for a while, as when IMDS or STS is unreachable. */
final class SwitchableCredentials implements AwsCredentialsProvider {
  private final AwsCredentialsProvider delegate;
  private final AtomicInteger failed = new AtomicInteger();
  private volatile boolean down;

  SwitchableCredentials(AwsCredentialsProvider delegate) {
    this.delegate = delegate;
  }

  @Override
  public AwsCredentials resolveCredentials() {
    if (down) {
      failed.incrementAndGet();
      throw new IllegalStateException(
          "the compatibility kit's credential outage: unable to load credentials from any of the"
              + " providers in the chain");
    }
    return delegate.resolveCredentials();
  }

  void down() {
    down = true;
  }

  void up() {
    down = false;
  }

  int failedCalls() {
    return failed.get();
  }
}
