package io.github.iamauth4j.core.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SigV4 primitives of the presigner and the token verifier: percent-encoding, the canonical
 * request over a presigned {@code GET /}, the string to sign, the derived signing key and the
 * signature.
 *
 * <p>Allocation-lean: each thread keeps one workspace (a byte buffer, a {@link MessageDigest} and a
 * {@link Mac}); the derived signing key is cached per (secret, UTC day, region, service).
 */
public final class SigV4 {

  /**
   * SHA-256 of the empty payload, in lowercase hex. Presigned tokens never use UNSIGNED-PAYLOAD.
   */
  public static final String EMPTY_PAYLOAD_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  public static final String ALGORITHM = "AWS4-HMAC-SHA256";

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HEX_UPPER = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_CACHED_KEYS = 256;

  private static final ConcurrentHashMap<KeyId, byte[]> SIGNING_KEYS = new ConcurrentHashMap<>();
  private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

  private SigV4() {}

  /** Whether {@code c} is one of the unreserved characters that stay literal. */
  public static boolean isUnreserved(int c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '_'
        || c == '.'
        || c == '~';
  }

  /** Percent-encodes {@code value} as SigV4 requires: UTF-8, uppercase hex, space as %20. */
  public static String encode(String value) {
    StringBuilder out = new StringBuilder(value.length() + 16);
    appendEncoded(out, value);
    return out.toString();
  }

  /** Appends the SigV4 percent-encoding of {@code value} to {@code out}. */
  public static void appendEncoded(StringBuilder out, CharSequence value) {
    int n = value.length();
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (isUnreserved(c)) {
        out.append(c);
      } else if (c < 0x80) {
        appendPercent(out, c);
      } else {
        // Rare: non-ASCII (RDS user names). Encode the UTF-8 bytes of the code point.
        int cp = Character.codePointAt(value, i);
        if (Character.isSupplementaryCodePoint(cp)) {
          i++;
        }
        byte[] bytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
          appendPercent(out, b & 0xff);
        }
      }
    }
  }

  private static void appendPercent(StringBuilder out, int b) {
    out.append('%').append((char) HEX_UPPER[b >> 4]).append((char) HEX_UPPER[b & 0xf]);
  }

  /** Decodes a percent-encoded query component (UTF-8); {@code +} stays a plus sign. */
  public static String decode(String value) {
    if (value.indexOf('%') < 0 && value.chars().allMatch(c -> c < 0x80)) {
      return value;
    }
    byte[] out = new byte[value.length()];
    int n = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '%') {
        if (i + 2 >= value.length()) {
          throw new IllegalArgumentException("malformed percent-encoding");
        }
        int hi = hexDigit(value.charAt(i + 1));
        int lo = hexDigit(value.charAt(i + 2));
        if (hi < 0 || lo < 0) {
          throw new IllegalArgumentException("malformed percent-encoding");
        }
        out[n++] = (byte) ((hi << 4) | lo);
        i += 2;
      } else if (c < 0x80) {
        out[n++] = (byte) c;
      } else {
        throw new IllegalArgumentException("unencoded non-ASCII character");
      }
    }
    return new String(out, 0, n, StandardCharsets.UTF_8);
  }

  // ASCII hex only: Character.digit would also accept full-width and other Unicode digits, so a
  // verifier would take a token that no AWS service encodes.
  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }

  /** {@code yyyyMMdd} of the UTC day containing {@code epochSecond}. */
  public static String dateStamp(long epochSecond) {
    LocalDate d = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC).toLocalDate();
    char[] c = new char[8];
    putDigits(c, 0, d.getYear(), 4);
    putDigits(c, 4, d.getMonthValue(), 2);
    putDigits(c, 6, d.getDayOfMonth(), 2);
    return new String(c);
  }

  /** {@code yyyyMMdd'T'HHmmss'Z'} of {@code epochSecond}, UTC. */
  public static String amzDate(long epochSecond) {
    LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
    char[] c = new char[16];
    putDigits(c, 0, t.getYear(), 4);
    putDigits(c, 4, t.getMonthValue(), 2);
    putDigits(c, 6, t.getDayOfMonth(), 2);
    c[8] = 'T';
    putDigits(c, 9, t.getHour(), 2);
    putDigits(c, 11, t.getMinute(), 2);
    putDigits(c, 13, t.getSecond(), 2);
    c[15] = 'Z';
    return new String(c);
  }

  private static void putDigits(char[] c, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      c[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  /**
   * Computes the SigV4 signature of a presigned {@code GET /} with the single signed header {@code
   * host}.
   *
   * @param secretAccessKey the secret key; used only to derive (or find) the signing key
   * @param dateStamp {@code yyyyMMdd}
   * @param region the signing region
   * @param service the signing name
   * @param amzDate {@code yyyyMMdd'T'HHmmss'Z'}
   * @param host the signed host header value
   * @param canonicalQuery the canonical (sorted, encoded) query string without the signature
   * @return the signature, 64 lowercase hex characters
   */
  public static String signature(
      String secretAccessKey,
      String dateStamp,
      String region,
      String service,
      String amzDate,
      CharSequence host,
      CharSequence canonicalQuery) {
    byte[] key = signingKey(secretAccessKey, dateStamp, region, service);
    return WORKSPACE
        .get()
        .sign(
            key,
            dateStamp,
            region,
            service,
            amzDate,
            host,
            canonicalQuery,
            0,
            canonicalQuery.length());
  }

  /**
   * Derives the signing key without the cache (the cache calls it; so does the cold-path
   * benchmark).
   */
  public static byte[] deriveSigningKey(
      String secretAccessKey, String dateStamp, String region, String service) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      byte[] k = hmac(mac, ("AWS4" + secretAccessKey).getBytes(StandardCharsets.UTF_8), dateStamp);
      k = hmac(mac, k, region);
      k = hmac(mac, k, service);
      return hmac(mac, k, "aws4_request");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  /**
   * The derived signing key for (secret, day, region, service), from the JVM-wide cache.
   *
   * @param secret the secret access key
   * @param dateStamp {@code yyyyMMdd}
   * @param region the signing region
   * @param service the signing name
   * @return the key; callers must not modify it
   */
  public static byte[] signingKey(String secret, String dateStamp, String region, String service) {
    KeyId id = new KeyId(secret, dateStamp, region, service);
    byte[] key = SIGNING_KEYS.get(id);
    if (key == null) {
      if (SIGNING_KEYS.size() >= MAX_CACHED_KEYS) {
        // Keys are per day: an unbounded map would only hold yesterday's keys.
        SIGNING_KEYS.clear();
      }
      key = deriveSigningKey(secret, dateStamp, region, service);
      SIGNING_KEYS.put(id, key);
    }
    return key;
  }

  private static byte[] hmac(Mac mac, byte[] key, String data) throws GeneralSecurityException {
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
  }

  private static final byte[] ALGORITHM_LINE =
      (ALGORITHM + "\n").getBytes(StandardCharsets.US_ASCII);

  /**
   * The half of every signature that the presigner and the verifier share: finishes the SHA-256 of
   * the canonical request fed to {@code sha256}, builds the string to sign (algorithm, {@code
   * X-Amz-Date}, credential scope, the canonical request's hash in hex) in {@code scratch}, and
   * writes its HMAC under the signing key {@code mac} was initialised with into {@code digest}.
   *
   * @param sha256 holds the canonical request; reset on return
   * @param mac initialised with the derived signing key
   * @param scratch at least 128 bytes plus the scope line
   * @param amzDate the 16 bytes {@code yyyyMMdd'T'HHmmss'Z'} at {@code amzDateAt}
   * @param amzDateAt where they start
   * @param scopeLine {@code yyyyMMdd/<region>/<service>/aws4_request\n}
   * @param digest 32 bytes; receives the signature
   */
  public static void signCanonicalRequest(
      MessageDigest sha256,
      Mac mac,
      byte[] scratch,
      byte[] amzDate,
      int amzDateAt,
      byte[] scopeLine,
      byte[] digest) {
    try {
      sha256.digest(digest, 0, 32);
      int s = 0;
      System.arraycopy(ALGORITHM_LINE, 0, scratch, s, ALGORITHM_LINE.length);
      s += ALGORITHM_LINE.length;
      System.arraycopy(amzDate, amzDateAt, scratch, s, 16);
      s += 16;
      scratch[s++] = '\n';
      System.arraycopy(scopeLine, 0, scratch, s, scopeLine.length);
      s += scopeLine.length;
      s = hex(digest, scratch, s);
      mac.update(scratch, 0, s);
      mac.doFinal(digest, 0);
    } catch (java.security.DigestException | javax.crypto.ShortBufferException e) {
      sha256.reset();
      mac.reset();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes the 32 bytes of {@code digest} as 64 lowercase hex characters into {@code to}.
   *
   * @param digest a SHA-256 or HMAC-SHA256 result
   * @param to the buffer
   * @param at where to start
   * @return the index after the last character written
   */
  public static int hex(byte[] digest, byte[] to, int at) {
    int i = at;
    for (int k = 0; k < 32; k++) {
      to[i++] = HEX[(digest[k] >> 4) & 0xf];
      to[i++] = HEX[digest[k] & 0xf];
    }
    return i;
  }

  /** Constant-time comparison of two signatures. */
  public static boolean signaturesEqual(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Identity of a derived signing key. Holds the secret only to compare it; no toString, so the
   * secret never reaches a log through this object.
   */
  private static final class KeyId {
    private final String secret;
    private final String date;
    private final String region;
    private final String service;
    private final int hash;

    KeyId(String secret, String date, String region, String service) {
      this.secret = secret;
      this.date = date;
      this.region = region;
      this.service = service;
      this.hash =
          ((secret.hashCode() * 31 + date.hashCode()) * 31 + region.hashCode()) * 31
              + service.hashCode();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof KeyId k
          && hash == k.hash
          && secret.equals(k.secret)
          && date.equals(k.date)
          && region.equals(k.region)
          && service.equals(k.service);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public String toString() {
      return "KeyId[" + date + "/" + region + "/" + service + "]";
    }
  }

  /** Per-thread buffers, so a signature allocates little beyond its result. */
  private static final class Workspace {
    private final MessageDigest sha256;
    private final Mac mac;
    private byte @org.jspecify.annotations.Nullable [] macKey;
    private byte[] buf = new byte[1024];
    private final byte[] digest = new byte[32];
    private final byte[] hex = new byte[64];

    Workspace() {
      try {
        sha256 = MessageDigest.getInstance("SHA-256");
        mac = Mac.getInstance("HmacSHA256");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("SHA-256/HmacSHA256 are not available in this JVM", e);
      }
    }

    String sign(
        byte[] key,
        String dateStamp,
        String region,
        String service,
        String amzDate,
        CharSequence host,
        CharSequence query,
        int queryStart,
        int queryEnd) {
      // Canonical request: GET, path "/", query, the host header, signed headers, payload hash.
      int n = 0;
      n = put(n, "GET\n/\n");
      n = put(n, query, queryStart, queryEnd);
      n = put(n, "\nhost:");
      n = put(n, host);
      n = put(n, "\n\nhost\n");
      n = put(n, EMPTY_PAYLOAD_SHA256);
      sha256.update(buf, 0, n);
      byte[] amz = amzDate.getBytes(StandardCharsets.US_ASCII);
      byte[] scope =
          (dateStamp + "/" + region + "/" + service + "/aws4_request\n")
              .getBytes(StandardCharsets.US_ASCII);
      ensure(ALGORITHM_LINE.length + 17 + scope.length + 64);
      try {
        if (macKey != key) {
          mac.init(new SecretKeySpec(key, "HmacSHA256"));
          macKey = key;
        }
      } catch (GeneralSecurityException e) {
        macKey = null;
        throw new IllegalStateException(e);
      }
      signCanonicalRequest(sha256, mac, buf, amz, 0, scope, digest);
      hex(digest, hex, 0);
      return new String(hex, StandardCharsets.ISO_8859_1);
    }

    private int put(int at, CharSequence s) {
      return put(at, s, 0, s.length());
    }

    private int put(int at, CharSequence s, int from, int to) {
      int len = to - from;
      ensure(at + len);
      for (int i = 0; i < len; i++) {
        // Everything signed here is ASCII after percent-encoding; the host is validated ASCII.
        buf[at + i] = (byte) s.charAt(from + i);
      }
      return at + len;
    }

    private void ensure(int size) {
      if (size > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(size, buf.length * 2));
      }
    }
  }
}
