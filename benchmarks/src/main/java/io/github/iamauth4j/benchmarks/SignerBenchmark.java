package io.github.iamauth4j.benchmarks;

import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.SigV4Presigner;
import io.github.iamauth4j.core.internal.SigV4;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;

/**
 * One token, five ways: the irreducible crypto ({@link #floor}), our presigner with the signing key
 * derived every time ({@link #coldKey}) and cached ({@link #cachedKey}), the prototype of the
 * recommended presigner change ({@link #prototypeCachedKey}), and the AWS SDK's {@link
 * AwsV4HttpSigner} presign ({@link #sdkAwsV4HttpSigner}); for an RDS and an ElastiCache target,
 * with basic and with session credentials. {@link #setup} checks that every path computes the same
 * signature.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SignerBenchmark {

  /** Which target: {@code rds} or {@code elasticache}. */
  @Param({"rds", "elasticache"})
  public String target = "rds";

  /** Whether the credentials are session credentials (a signed X-Amz-Security-Token). */
  @Param({"false", "true"})
  public boolean session;

  private static final Duration EXPIRY = Duration.ofMinutes(15);

  private final SigV4Presigner presigner = SigV4Presigner.create();
  private final AwsV4HttpSigner sdkSigner = AwsV4HttpSigner.create();
  private IamTarget iamTarget = Inputs.target("rds");
  private AwsCredentials credentials = Inputs.credentials(false);
  private SdkHttpRequest sdkRequest = Inputs.sdkRequest(iamTarget);
  private String coldDateStamp = "";
  private byte coldKeySink;

  // The floor's precomputed inputs, the same sizes as the real ones.
  private byte[] canonicalRequest = new byte[0];
  private byte[] stringToSign = new byte[0];
  private final byte[] digest = new byte[32];
  private final byte[] mac = new byte[32];
  private MessageDigest sha256 = sha256();
  private Mac hmac = hmacSha256();

  /** Builds the inputs and checks that every path signs the same thing. */
  @Setup
  public void setup() throws GeneralSecurityException {
    iamTarget = Inputs.target(target);
    credentials = Inputs.credentials(session);
    sdkRequest = Inputs.sdkRequest(iamTarget);
    coldDateStamp = SigV4.dateStamp(Inputs.AT.getEpochSecond());

    String token = cachedKey();
    String query = token.substring(token.indexOf("/?") + 2, token.lastIndexOf("&X-Amz-Signature="));
    String canonical =
        "GET\n/\n"
            + query
            + "\nhost:"
            + iamTarget.signedHost()
            + "\n\nhost\n"
            + SigV4.EMPTY_PAYLOAD_SHA256;
    canonicalRequest = canonical.getBytes(StandardCharsets.US_ASCII);
    String dateStamp = SigV4.dateStamp(Inputs.AT.getEpochSecond());
    stringToSign =
        (SigV4.ALGORITHM
                + "\n"
                + SigV4.amzDate(Inputs.AT.getEpochSecond())
                + "\n"
                + dateStamp
                + "/"
                + Inputs.REGION
                + "/"
                + iamTarget.signingName()
                + "/aws4_request\n"
                + hex(sha256.digest(canonicalRequest)))
            .getBytes(StandardCharsets.US_ASCII);
    sha256 = sha256();
    hmac = hmacSha256();
    hmac.init(
        new SecretKeySpec(
            SigV4.deriveSigningKey(
                Inputs.SECRET, dateStamp, Inputs.REGION, iamTarget.signingName()),
            "HmacSHA256"));

    // Same work on every path: the same signature, else the comparison means nothing.
    String expected = Inputs.signatureOf(token);
    check("floor", expected, hex(floor()));
    check("sdkAwsV4HttpSigner", expected, Inputs.signatureOf(sdkAwsV4HttpSigner()));
  }

  private static void check(String path, String expected, String actual) {
    if (!expected.equals(actual)) {
      throw new IllegalStateException(
          path + " computed another signature than SigV4Presigner: the benchmark is invalid");
    }
  }

  /**
   * The irreducible cost: SHA-256 of a canonical request and one HMAC-SHA256 of a string to sign,
   * both precomputed, with an initialised {@link Mac}.
   */
  @Benchmark
  public byte[] floor() {
    sha256.update(canonicalRequest);
    try {
      sha256.digest(digest, 0, 32);
      hmac.update(stringToSign);
      hmac.doFinal(mac, 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    return mac;
  }

  /** Our presigner with the signing key cached (the usual case: one key per day). */
  @Benchmark
  public String cachedKey() {
    return presigner.presign(iamTarget, Inputs.REGION, credentials, Inputs.AT, EXPIRY);
  }

  /**
   * Our presigner when the signing key must be derived first (the first token of a day, region or
   * secret): {@link SigV4#deriveSigningKey}'s four HMACs, then the token.
   */
  @Benchmark
  public String coldKey() {
    byte[] key =
        SigV4.deriveSigningKey(
            credentials.secretAccessKey(), coldDateStamp, Inputs.REGION, iamTarget.signingName());
    coldKeySink ^= key[0]; // keeps the derivation from being optimised away
    return presigner.presign(iamTarget, Inputs.REGION, credentials, Inputs.AT, EXPIRY);
  }

  /**
   * The AWS SDK's {@link AwsV4HttpSigner} presigning the same request (query-string auth), as AWS's
   * ElastiCache IAM sample uses it, with the token taken from the signed URI.
   */
  @Benchmark
  public String sdkAwsV4HttpSigner() {
    SignedRequest signed =
        sdkSigner.sign(
            r ->
                r.identity(credentials)
                    .request(sdkRequest)
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, iamTarget.signingName())
                    .putProperty(AwsV4HttpSigner.REGION_NAME, Inputs.REGION)
                    .putProperty(
                        AwsV4HttpSigner.AUTH_LOCATION,
                        AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                    .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, EXPIRY)
                    .putProperty(HttpSigner.SIGNING_CLOCK, Inputs.FIXED_CLOCK));
    return signed.request().getUri().toString().substring("http://".length());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Mac hmacSha256() {
    try {
      return Mac.getInstance("HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hex(byte[] bytes) {
    StringBuilder s = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) {
      s.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return s.toString();
  }
}
