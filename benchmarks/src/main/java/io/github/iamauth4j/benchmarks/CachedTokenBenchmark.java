package io.github.iamauth4j.benchmarks;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.IamTokenProvider;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * What every connection pays after the first token: {@link IamTokenProvider#token()} on a provider
 * whose token is cached (static credentials, fixed region, system clock), on one thread and on two
 * threads sharing the provider.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CachedTokenBenchmark {

  // Set by setup() before any benchmark call (the usual JMH state idiom).
  private IamTokenProvider provider;

  /** Builds the provider and waits for its first token. */
  @Setup
  public void setup() {
    provider =
        IamTokenProvider.builder()
            .target(Inputs.target("elasticache"))
            .region(Inputs.REGION)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(Inputs.ACCESS_KEY_ID, Inputs.SECRET)))
            .build()
            .prefetch();
    // Blocks until the prefetched token is there; every call after this one is a cache hit.
    provider.token();
  }

  /** Stops the provider's refresh timer. */
  @TearDown
  public void tearDown() {
    provider.close();
  }

  /** One caller. */
  @Benchmark
  public AuthToken cachedRead() {
    return provider.token();
  }

  /** Two callers on the same provider (this machine's core count). */
  @Benchmark
  @Threads(2)
  public AuthToken cachedRead2Threads() {
    return provider.token();
  }
}
