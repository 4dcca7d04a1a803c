package io.github.iamauth4j.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * A scriptable credentials provider: succeeds, fails, or holds callers on a latch; counts calls and
 * records the threads that called it.
 */
final class FakeCredentials implements AwsCredentialsProvider {
  static final String ACCESS_KEY_ID = "ASIAIOSFODNN7EXAMPLE";
  static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  static final String SESSION_TOKEN =
      "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+example/session+token==";

  private volatile Supplier<AwsCredentials> behaviour;
  private volatile CountDownLatch gate = new CountDownLatch(0);
  private volatile CountDownLatch enteredGate = new CountDownLatch(0);
  private final AtomicInteger calls = new AtomicInteger();
  private final List<Thread> threads = Collections.synchronizedList(new ArrayList<>());

  private FakeCredentials(Supplier<AwsCredentials> behaviour) {
    this.behaviour = behaviour;
  }

  /** Always returns basic (long-term) credentials. */
  static FakeCredentials basic() {
    return new FakeCredentials(() -> AwsBasicCredentials.create(ACCESS_KEY_ID, SECRET));
  }

  /** Always returns session credentials without an expiration. */
  static FakeCredentials session() {
    FakeCredentials f = basic();
    f.succeedWithSession(null);
    return f;
  }

  /** From now on, returns basic credentials. */
  FakeCredentials succeed() {
    behaviour = () -> AwsBasicCredentials.create(ACCESS_KEY_ID, SECRET);
    return this;
  }

  /** From now on, returns session credentials expiring at {@code expiration} (null: none). */
  FakeCredentials succeedWithSession(Instant expiration) {
    behaviour =
        () ->
            AwsSessionCredentials.builder()
                .accessKeyId(ACCESS_KEY_ID)
                .secretAccessKey(SECRET)
                .sessionToken(SESSION_TOKEN)
                .expirationTime(expiration)
                .build();
    return this;
  }

  /** From now on, throws {@code failure}. */
  FakeCredentials fail(RuntimeException failure) {
    behaviour =
        () -> {
          throw failure;
        };
    return this;
  }

  /** From now on, each call counts down {@code entered}, then waits until {@code release} opens. */
  FakeCredentials holdOn(CountDownLatch entered, CountDownLatch release) {
    this.enteredGate = entered;
    this.gate = release;
    return this;
  }

  /** Stops holding callers. */
  FakeCredentials stopHolding() {
    this.gate = new CountDownLatch(0);
    this.enteredGate = new CountDownLatch(0);
    return this;
  }

  /** How many times credentials were asked for. */
  int calls() {
    return calls.get();
  }

  /** The threads that asked, in order. */
  List<Thread> threads() {
    synchronized (threads) {
      return new ArrayList<>(threads);
    }
  }

  @Override
  public AwsCredentials resolveCredentials() {
    calls.incrementAndGet();
    threads.add(Thread.currentThread());
    enteredGate.countDown();
    try {
      if (!gate.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("test credentials were held for more than 60 seconds");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return behaviour.get();
  }

  @Override
  public String toString() {
    return "FakeCredentials[calls=" + calls.get() + "]";
  }
}
