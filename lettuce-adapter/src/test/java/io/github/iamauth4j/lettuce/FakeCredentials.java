package io.github.iamauth4j.lettuce;

import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/** AWS credentials that a test can make fail, counting the calls. */
final class FakeCredentials implements AwsCredentialsProvider {
  static final String ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE";
  static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

  private final AtomicInteger calls = new AtomicInteger();
  private volatile @Nullable RuntimeException failure;

  @Override
  public AwsCredentials resolveCredentials() {
    calls.incrementAndGet();
    RuntimeException f = failure;
    if (f != null) {
      throw f;
    }
    return AwsBasicCredentials.create(ACCESS_KEY, SECRET);
  }

  void failWith(@Nullable RuntimeException e) {
    failure = e;
  }

  int calls() {
    return calls.get();
  }
}
