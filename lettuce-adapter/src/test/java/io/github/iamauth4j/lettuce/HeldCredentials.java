package io.github.iamauth4j.lettuce;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * AWS credentials that the test can hold on a latch, like IMDS or STS taking seconds to answer: a
 * call made while held blocks its thread until {@link #release()}.
 */
final class HeldCredentials implements AwsCredentialsProvider {
  private final AwsCredentialsProvider delegate;
  private final AtomicInteger waiting = new AtomicInteger();
  private volatile CountDownLatch gate = new CountDownLatch(0);

  HeldCredentials(AwsCredentialsProvider delegate) {
    this.delegate = delegate;
  }

  /** From now on, calls wait until {@link #release()}. */
  void hold() {
    gate = new CountDownLatch(1);
  }

  /** Lets the waiting calls (and later ones) through. */
  void release() {
    gate.countDown();
  }

  /** Whether a call is waiting on the latch now. */
  boolean isHolding() {
    return waiting.get() > 0;
  }

  @Override
  public AwsCredentials resolveCredentials() {
    CountDownLatch g = gate;
    if (g.getCount() > 0) {
      waiting.incrementAndGet();
      try {
        if (!g.await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never released the held credentials");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while held", e);
      } finally {
        waiting.decrementAndGet();
      }
    }
    return delegate.resolveCredentials();
  }
}
