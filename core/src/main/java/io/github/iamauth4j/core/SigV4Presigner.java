package io.github.iamauth4j.core;

import io.github.iamauth4j.core.internal.SigV4;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * The SigV4 query presigner that makes IAM auth tokens: a presigned {@code GET /} on the target's
 * signed host, returned without its scheme ({@code <host>/?<query>&X-Amz-Signature=…}).
 *
 * <p>Pure: every input, the instant included, is an argument, so the same inputs give the same
 * token. Byte-compatible with the AWS SDK for Java v2. Thread-safe. Most callers want {@link
 * IamTokenProvider} instead, which adds credentials, caching and refresh.
 *
 * <p>Fast: each thread builds the token once, as bytes, in its own buffer, and hashes the canonical
 * query where it stands; what does not change from token to token (the target's part, the encoded
 * access key and session token, the credential scope, the date, the derived signing key) is
 * prepared once and reused. A token costs about 1.4 times the bare SHA-256 and HMAC it needs (see
 * {@code benchmarks/RESULTS.md}). As the signing-key cache already does, each signing thread keeps
 * the last credentials' derived key and encoded session token in memory.
 */
public final class SigV4Presigner {
  private static final SigV4Presigner INSTANCE = new SigV4Presigner();
  private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);
  private static final byte[] GET_ROOT = "GET\n/\n".getBytes(StandardCharsets.US_ASCII);

  private SigV4Presigner() {}

  /** The presigner (stateless apart from per-thread buffers and the signing-key cache). */
  public static SigV4Presigner create() {
    return INSTANCE;
  }

  /**
   * Signs a token.
   *
   * @param target what the token authorises
   * @param region the signing region, e.g. {@code us-east-1}
   * @param credentials the signing credentials; session credentials add a signed {@code
   *     X-Amz-Security-Token}
   * @param signedAt the signing instant (truncated to the second)
   * @param expiry the signed expiry, 1 second to {@link IamTarget#maxExpiry()}
   * @return the token
   * @throws IllegalArgumentException if the expiry is out of range
   */
  public String presign(
      IamTarget target,
      String region,
      AwsCredentialsIdentity credentials,
      Instant signedAt,
      Duration expiry) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(credentials, "credentials");
    long expirySeconds = expiry.getSeconds();
    if (expirySeconds < 1 || expiry.compareTo(target.maxExpiry()) > 0) {
      throw new IllegalArgumentException(
          "expiry: "
              + expiry
              + " is out of range (expected 1 second to "
              + target.maxExpiry()
              + ")");
    }
    return WORKSPACE.get().presign(target, region, credentials, signedAt, expirySeconds);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** One thread's buffers and one-entry caches of what repeats from token to token. */
  private static final class Workspace {
    private final MessageDigest sha256;
    private final Mac mac;
    private byte[] out = new byte[1024];
    private int n;
    private final byte[] stringToSign = new byte[256];
    private final byte[] digest = new byte[32];

    private @Nullable String accessKeyId;
    private byte[] credentialPrefix = new byte[0]; // &X-Amz-Algorithm=…&X-Amz-Credential=<akid>
    private @Nullable String sessionToken;
    private byte[] securityToken = new byte[0]; // &X-Amz-Security-Token=<encoded>
    private @Nullable String region;
    private @Nullable String service;
    private byte[] scopeTail = new byte[0]; // %2F<region>%2F<service>%2Faws4_request
    private byte[] scopeLine = new byte[0]; // <yyyyMMdd>/<region>/<service>/aws4_request\n
    private long day = Long.MIN_VALUE;
    private final byte[] dateStamp = new byte[8];
    private @Nullable String secret;
    private long keyDay = Long.MIN_VALUE;
    private byte @Nullable [] macKey;

    Workspace() {
      try {
        sha256 = MessageDigest.getInstance("SHA-256");
        mac = Mac.getInstance("HmacSHA256");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("SHA-256/HmacSHA256 are not available in this JVM", e);
      }
    }

    String presign(
        IamTarget target,
        String reg,
        AwsCredentialsIdentity credentials,
        Instant signedAt,
        long expirySeconds) {
      long epochSecond = signedAt.getEpochSecond();
      long d = Math.floorDiv(epochSecond, 86_400L);
      int secondOfDay = (int) Math.floorMod(epochSecond, 86_400L);
      String svc = target.signingName();
      if (!reg.equals(region) || !svc.equals(service)) {
        region = reg;
        service = svc;
        scopeTail = ascii("%2F" + SigV4.encode(reg) + "%2F" + svc + "%2Faws4_request");
        keyDay = Long.MIN_VALUE;
        day = Long.MIN_VALUE; // the scope line starts with the date: rebuild it below
      }
      if (d != day) {
        day = d;
        LocalDate date = LocalDate.ofEpochDay(d);
        digits(dateStamp, 0, date.getYear(), 4);
        digits(dateStamp, 4, date.getMonthValue(), 2);
        digits(dateStamp, 6, date.getDayOfMonth(), 2);
        scopeLine =
            ascii(
                new String(dateStamp, StandardCharsets.US_ASCII)
                    + "/"
                    + reg
                    + "/"
                    + svc
                    + "/aws4_request\n");
      }
      String akid = credentials.accessKeyId();
      if (!akid.equals(accessKeyId)) {
        accessKeyId = akid;
        credentialPrefix =
            ascii(
                "&X-Amz-Algorithm=" + SigV4.ALGORITHM + "&X-Amz-Credential=" + SigV4.encode(akid));
      }
      String session =
          credentials instanceof AwsSessionCredentialsIdentity s ? s.sessionToken() : null;
      // By reference: the same credentials sign every token until the provider replaces them.
      if (session != null && session != sessionToken) {
        sessionToken = session;
        securityToken = ascii("&X-Amz-Security-Token=" + SigV4.encode(session));
      }
      String sec = credentials.secretAccessKey();
      if (d != keyDay || !sec.equals(secret)) {
        byte[] key =
            SigV4.signingKey(sec, new String(dateStamp, StandardCharsets.US_ASCII), reg, svc);
        if (key != macKey) {
          try {
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
          } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
          }
          macKey = key;
        }
        secret = sec;
        keyDay = d;
      }

      // The token, once, as bytes: <host>/?<query>&X-Amz-Signature=<hex>.
      n = 0;
      put(target.tokenPrefix);
      int queryStart = target.signedHost().length() + 2;
      put(credentialPrefix);
      put(scopeTail, 0, 3); // %2F
      put(dateStamp);
      put(scopeTail);
      putAscii("&X-Amz-Date=");
      int amzDate = n;
      put(dateStamp);
      ensure(8);
      out[n++] = 'T';
      digits(out, n, secondOfDay / 3600, 2);
      digits(out, n + 2, secondOfDay / 60 % 60, 2);
      digits(out, n + 4, secondOfDay % 60, 2);
      n += 6;
      out[n++] = 'Z';
      putAscii("&X-Amz-Expires=");
      putLong(expirySeconds);
      if (session != null) {
        put(securityToken);
      }
      putAscii("&X-Amz-SignedHeaders=host");
      int queryEnd = n;

      // The canonical request, hashed where the query stands: no copy of it.
      sha256.update(GET_ROOT);
      sha256.update(out, queryStart, queryEnd - queryStart);
      sha256.update(target.canonicalRequestSuffix);
      SigV4.signCanonicalRequest(sha256, mac, stringToSign, out, amzDate, scopeLine, digest);
      putAscii("&X-Amz-Signature=");
      ensure(64);
      n = SigV4.hex(digest, out, n);
      return new String(out, 0, n, StandardCharsets.ISO_8859_1);
    }

    private void ensure(int more) {
      if (n + more > out.length) {
        out = Arrays.copyOf(out, Math.max(n + more, out.length * 2));
      }
    }

    private void put(byte[] b) {
      put(b, 0, b.length);
    }

    private void put(byte[] b, int from, int len) {
      ensure(len);
      System.arraycopy(b, from, out, n, len);
      n += len;
    }

    private void putAscii(String s) {
      int len = s.length();
      ensure(len);
      for (int i = 0; i < len; i++) {
        out[n++] = (byte) s.charAt(i);
      }
    }

    private void putLong(long v) {
      int len = 1;
      for (long x = v; x >= 10; x /= 10) {
        len++;
      }
      ensure(len);
      long x = v;
      for (int i = n + len - 1; i >= n; i--) {
        out[i] = (byte) ('0' + x % 10);
        x /= 10;
      }
      n += len;
    }

    private static void digits(byte[] b, int at, int value, int width) {
      int v = value;
      for (int i = at + width - 1; i >= at; i--) {
        b[i] = (byte) ('0' + v % 10);
        v /= 10;
      }
    }
  }
}
