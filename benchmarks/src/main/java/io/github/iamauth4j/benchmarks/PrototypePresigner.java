package io.github.iamauth4j.benchmarks;

import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.internal.SigV4;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * A prototype of the change RESULTS.md recommends for {@code SigV4Presigner}, kept here only to
 * measure it next to the real presigner; it produces the same tokens byte for byte.
 *
 * <p>What differs from core: the token is built once, as ASCII bytes, in a per-thread buffer, and
 * SHA-256 reads the canonical query straight from that buffer (core builds a {@link StringBuilder},
 * copies the query char by char into a second buffer, then copies the builder into the result);
 * what stays the same from token to token is encoded once and kept as bytes: the target's
 * parameters and signed-host suffix (in core: fields of {@code IamTarget}), the percent-encoded
 * session token and access key id (a one-entry cache per thread, by reference: credentials change
 * hourly, tokens are signed far more often), the credential scope and the date stamp (per day). Per
 * token it allocates the result string and the 32-byte array that {@code Mac.doFinal} allocates
 * inside the JDK.
 */
final class PrototypePresigner {
  private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] GET_ROOT = "GET\n/\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ALGORITHM_LINE =
      (SigV4.ALGORITHM + "\n").getBytes(StandardCharsets.US_ASCII);

  private PrototypePresigner() {}

  /** As {@code SigV4Presigner.presign}, without its argument checks. */
  static String presign(
      IamTarget target,
      String region,
      AwsCredentialsIdentity credentials,
      Instant signedAt,
      Duration expiry) {
    return WORKSPACE.get().presign(target, region, credentials, signedAt, expiry.getSeconds());
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] encoded(String s) {
    return ascii(SigV4.encode(s));
  }

  private static final class Workspace {
    private final MessageDigest sha256;
    private final Mac mac;
    private byte[] out = new byte[2048];
    private int n;
    private final byte[] stringToSign = new byte[256];
    private final byte[] digest = new byte[32];

    // One-entry caches, compared by reference (or by value where that is as cheap).
    private @Nullable IamTarget target;
    private byte[] hostAndParams = new byte[0]; // <host>/?<canonical parameters>
    private int hostLength;
    private byte[] canonicalSuffix = new byte[0]; // \nhost:<host>\n\nhost\n<empty hash>
    private @Nullable String accessKeyId;
    private byte[] credentialPrefix = new byte[0]; // &X-Amz-Algorithm=…&X-Amz-Credential=<akid>
    private @Nullable String sessionToken;
    private byte[] securityToken = new byte[0]; // &X-Amz-Security-Token=<encoded>
    private @Nullable String region;
    private @Nullable String service;
    private byte[] scopeTail = new byte[0]; // %2F<region>%2F<service>%2Faws4_request
    private byte[] scopeLine = new byte[0]; // /<region>/<service>/aws4_request\n
    private long day = Long.MIN_VALUE;
    private final byte[] dateStamp = new byte[8];
    private @Nullable String secret;
    private long keyDay = Long.MIN_VALUE;

    Workspace() {
      try {
        sha256 = MessageDigest.getInstance("SHA-256");
        mac = Mac.getInstance("HmacSHA256");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    String presign(
        IamTarget t,
        String reg,
        AwsCredentialsIdentity credentials,
        Instant signedAt,
        long expirySeconds) {
      long epochSecond = signedAt.getEpochSecond();
      long d = Math.floorDiv(epochSecond, 86_400L);
      int secondOfDay = (int) Math.floorMod(epochSecond, 86_400L);
      String svc = t.signingName();
      if (t != target) {
        onTarget(t);
      }
      if (!reg.equals(region) || !svc.equals(service)) {
        region = reg;
        service = svc;
        scopeTail = ascii("%2F" + reg + "%2F" + svc + "%2Faws4_request");
        scopeLine = ascii("/" + reg + "/" + svc + "/aws4_request\n");
        keyDay = Long.MIN_VALUE;
      }
      if (d != day) {
        day = d;
        LocalDate date = LocalDate.ofEpochDay(d);
        digits(dateStamp, 0, date.getYear(), 4);
        digits(dateStamp, 4, date.getMonthValue(), 2);
        digits(dateStamp, 6, date.getDayOfMonth(), 2);
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
      // By reference: the same credentials object signs every token until it is replaced.
      if (session != null && session != sessionToken) {
        sessionToken = session;
        securityToken = encoded(session);
        securityToken = concat(ascii("&X-Amz-Security-Token="), securityToken);
      }
      String sec = credentials.secretAccessKey();
      if (d != keyDay || !sec.equals(secret)) {
        byte[] key =
            SigV4.deriveSigningKey(sec, new String(dateStamp, StandardCharsets.US_ASCII), reg, svc);
        try {
          mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException(e);
        }
        secret = sec;
        keyDay = d;
      }

      // The token, once, as bytes: <host>/?<query>&X-Amz-Signature=<hex>.
      n = 0;
      put(hostAndParams);
      int queryStart = hostLength + 2;
      put(credentialPrefix);
      put(scopeTail, 0, 3);
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

      // Canonical request, hashed in place: no copy of the query.
      sha256.update(GET_ROOT);
      sha256.update(out, queryStart, queryEnd - queryStart);
      sha256.update(canonicalSuffix);
      int s = 0;
      try {
        sha256.digest(digest, 0, 32);
        System.arraycopy(ALGORITHM_LINE, 0, stringToSign, s, ALGORITHM_LINE.length);
        s += ALGORITHM_LINE.length;
        System.arraycopy(out, amzDate, stringToSign, s, 16);
        s += 16;
        stringToSign[s++] = '\n';
        System.arraycopy(dateStamp, 0, stringToSign, s, 8);
        s += 8;
        System.arraycopy(scopeLine, 0, stringToSign, s, scopeLine.length);
        s += scopeLine.length;
        s = hex(digest, stringToSign, s);
        mac.update(stringToSign, 0, s);
        mac.doFinal(digest, 0);
      } catch (GeneralSecurityException e) {
        keyDay = Long.MIN_VALUE;
        throw new IllegalStateException(e);
      }
      putAscii("&X-Amz-Signature=");
      ensure(64);
      n = hex(digest, out, n);
      return new String(out, 0, n, StandardCharsets.ISO_8859_1);
    }

    private void onTarget(IamTarget t) {
      StringBuilder params = new StringBuilder();
      for (Map.Entry<String, String> e : new TreeMap<>(t.parameters()).entrySet()) {
        if (params.length() > 0) {
          params.append('&');
        }
        SigV4.appendEncoded(params, e.getKey());
        params.append('=');
        SigV4.appendEncoded(params, e.getValue());
      }
      String host = t.signedHost();
      hostAndParams = ascii(host + "/?" + params);
      hostLength = host.length();
      canonicalSuffix = ascii("\nhost:" + host + "\n\nhost\n" + SigV4.EMPTY_PAYLOAD_SHA256);
      target = t;
    }

    private void ensure(int more) {
      if (n + more > out.length) {
        out = java.util.Arrays.copyOf(out, Math.max(n + more, out.length * 2));
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

    private static int hex(byte[] bytes, byte[] to, int at) {
      for (int i = 0; i < 32; i++) {
        to[at++] = HEX[(bytes[i] >> 4) & 0xf];
        to[at++] = HEX[bytes[i] & 0xf];
      }
      return at;
    }

    private static byte[] concat(byte[] a, byte[] b) {
      byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
      System.arraycopy(b, 0, c, a.length, b.length);
      return c;
    }
  }
}
