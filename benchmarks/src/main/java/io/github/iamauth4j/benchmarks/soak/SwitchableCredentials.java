package io.github.iamauth4j.benchmarks.soak;

import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/** AWS credentials the harness takes down for a while, as when IMDS or STS is unreachable. */
final class SwitchableCredentials implements AwsCredentialsProvider {
  private final AwsCredentialsProvider delegate;
  private final AtomicLong failedCalls = new AtomicLong();
  private volatile boolean down;

  SwitchableCredentials(AwsCredentialsProvider delegate) {
    this.delegate = delegate;
  }

  @Override
  public AwsCredentials resolveCredentials() {
    if (down) {
      failedCalls.incrementAndGet();
      throw new IllegalStateException(
          "the soak harness's credential outage: unable to load credentials from any of the"
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

  long failedCalls() {
    return failedCalls.get();
  }
}
