package io.github.iamauth4j.benchmarks;

import io.github.iamauth4j.core.SigV4Presigner;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import software.amazon.awssdk.services.rds.RdsUtilities;
import software.amazon.awssdk.services.rds.model.GenerateAuthenticationTokenRequest;

/**
 * The AWS SDK's {@code RdsUtilities.generateAuthenticationToken} on the RDS input of {@link
 * SignerBenchmark} (fixed clock, static credentials), with basic and with session credentials.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RdsUtilitiesBenchmark {

  /** Whether the credentials are session credentials. */
  @Param({"false", "true"})
  public boolean session;

  private final GenerateAuthenticationTokenRequest request =
      GenerateAuthenticationTokenRequest.builder()
          .hostname(Inputs.RDS_HOST)
          .port(Inputs.RDS_PORT)
          .username(Inputs.RDS_USER)
          .build();
  // Set by setup() before any benchmark call (the usual JMH state idiom).
  private RdsUtilities utilities;

  /** Builds the utilities and checks that they sign what our presigner signs. */
  @Setup
  public void setup() {
    utilities = Inputs.rdsUtilities(session);
    String ours =
        SigV4Presigner.create()
            .presign(
                Inputs.target("rds"),
                Inputs.REGION,
                Inputs.credentials(session),
                Inputs.AT,
                Duration.ofMinutes(15));
    if (!Inputs.signatureOf(ours).equals(Inputs.signatureOf(sdkRdsUtilities()))) {
      throw new IllegalStateException(
          "RdsUtilities computed another signature than SigV4Presigner: the benchmark is invalid");
    }
  }

  /** {@code RdsUtilities.generateAuthenticationToken} (the legacy {@code Aws4Signer} presign). */
  @Benchmark
  public String sdkRdsUtilities() {
    return utilities.generateAuthenticationToken(request);
  }
}
