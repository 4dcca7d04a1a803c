package io.github.iamauth4j.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The SigV4 primitives: encoding, decoding, dates, and the signature against a textbook one. */
class SigV4Test {
  private static final long SEED = Long.getLong("iamauth4j.seed", 20261121L);

  /** RFC 3986 encoding built from the JDK's form encoder, the way the AWS SDK does it. */
  private static String referenceEncode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8)
        .replace("+", "%20")
        .replace("*", "%2A")
        .replace("%7E", "~");
  }

  @Test
  void encodesAsSigV4Requires() {
    assertThat(SigV4.encode("AZaz09-_.~")).isEqualTo("AZaz09-_.~");
    assertThat(SigV4.encode(" ")).isEqualTo("%20");
    assertThat(SigV4.encode("+/=%&*")).isEqualTo("%2B%2F%3D%25%26%2A");
    assertThat(SigV4.encode("é")).isEqualTo("%C3%A9");
    assertThat(SigV4.encode("日")).isEqualTo("%E6%97%A5");
    assertThat(SigV4.encode("😀")).isEqualTo("%F0%9F%98%80");
    assertThat(SigV4.encode("a😀b𝔘c")).isEqualTo("a%F0%9F%98%80b%F0%9D%94%98c");
    assertThat(SigV4.encode("\uffff")).isEqualTo("%EF%BF%BF");
    assertThat(SigV4.encode("")).isEmpty();
  }

  @Test
  void encodingAndDecodingOfRandomTextIncludingSupplementaryCharacters() {
    Random random = new Random(SEED);
    for (int i = 0; i < 2000; i++) {
      StringBuilder b = new StringBuilder();
      int n = random.nextInt(40);
      while (b.length() < n) {
        int cp;
        switch (random.nextInt(4)) {
          case 0 -> cp = 0x20 + random.nextInt(0x5f);
          case 1 -> cp = 0xa0 + random.nextInt(0xd800 - 0xa0);
          case 2 -> cp = 0xe000 + random.nextInt(0x10000 - 0xe000);
          default -> cp = 0x10000 + random.nextInt(0x10ffff - 0x10000);
        }
        b.appendCodePoint(cp);
      }
      String s = b.toString();
      String encoded = SigV4.encode(s);
      assertThat(encoded).as("seed %d case %d", SEED, i).isEqualTo(referenceEncode(s));
      assertThat(encoded).matches("[A-Za-z0-9_.~%-]*");
      assertThat(SigV4.decode(encoded)).as("seed %d case %d", SEED, i).isEqualTo(s);
    }
  }

  @Test
  void decodeKeepsPlusAndAcceptsLowercaseHex() {
    assertThat(SigV4.decode("a+b")).isEqualTo("a+b");
    assertThat(SigV4.decode("%2b%2F")).isEqualTo("+/");
    assertThat(SigV4.decode("plain")).isEqualTo("plain");
    assertThat(SigV4.decode("%F0%9F%98%80")).isEqualTo("😀");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "%",
        "%4",
        "a%4",
        "%G1",
        "%1G",
        "%%41",
        "é",
        "%\uff10\uff10",
        "%\u0661\u0662",
        "%٣A"
      })
  void decodeRejectsMalformedInput(String value) {
    // Only ASCII hex digits: Character.digit would also take full-width and Arabic-Indic digits.
    assertThatThrownBy(() -> SigV4.decode(value)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void datesMatchTheJdkFormatter() {
    DateTimeFormatter day = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
    DateTimeFormatter full =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    Random random = new Random(SEED);
    long min = Instant.parse("1970-01-01T00:00:00Z").getEpochSecond();
    long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
    for (int i = 0; i < 5000; i++) {
      long s =
          i < 4
              ? new long[] {min, max, 951782400L, 1709251199L}[i]
              : min + (long) (random.nextDouble() * (max - min));
      Instant t = Instant.ofEpochSecond(s);
      assertThat(SigV4.dateStamp(s)).as("%s", t).isEqualTo(day.format(t));
      assertThat(SigV4.amzDate(s)).as("%s", t).isEqualTo(full.format(t));
    }
    assertThat(SigV4.amzDate(Instant.parse("2024-02-29T23:59:59Z").getEpochSecond()))
        .isEqualTo("20240229T235959Z");
  }

  /** A SigV4 signature written out step by step from AWS's documentation, for comparison. */
  private static String textbookSignature(
      String secret,
      String amzDate,
      String region,
      String service,
      String host,
      String query,
      String payloadHash)
      throws Exception {
    String date = amzDate.substring(0, 8);
    String canonicalRequest =
        String.join("\n", "GET", "/", query, "host:" + host, "", "host", payloadHash);
    String stringToSign =
        String.join(
            "\n",
            "AWS4-HMAC-SHA256",
            amzDate,
            date + "/" + region + "/" + service + "/aws4_request",
            HexFormat.of()
                .formatHex(
                    MessageDigest.getInstance("SHA-256")
                        .digest(canonicalRequest.getBytes(StandardCharsets.UTF_8))));
    byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
    k = hmac(k, region);
    k = hmac(k, service);
    k = hmac(k, "aws4_request");
    return HexFormat.of().formatHex(hmac(k, stringToSign));
  }

  private static byte[] hmac(byte[] key, String data) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void signatureEqualsTheTextbookOneOverTheEmptyPayloadHash() throws Exception {
    String emptySha =
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(new byte[0]));
    assertThat(SigV4.EMPTY_PAYLOAD_SHA256).isEqualTo(emptySha);

    String query =
        "Action=connect&ResourceType=ServerlessCache&User=testuser&X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20250101%2Fus-east-1%2Felasticache%2Faws4_request"
            + "&X-Amz-Date=20250101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host";
    String secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    String ours =
        SigV4.signature(
            secret, "20250101", "us-east-1", "elasticache", "20250101T000000Z", "my-cache", query);

    assertThat(ours)
        .isEqualTo(
            textbookSignature(
                secret,
                "20250101T000000Z",
                "us-east-1",
                "elasticache",
                "my-cache",
                query,
                emptySha))
        .isEqualTo("28f349fd92f74e0192de149a74743ae7d087bb136523c342bdd67632a8360023")
        .isNotEqualTo(
            textbookSignature(
                secret,
                "20250101T000000Z",
                "us-east-1",
                "elasticache",
                "my-cache",
                query,
                "UNSIGNED-PAYLOAD"));
  }

  @Test
  void signingKeyCacheNeverMixesUpKeys() throws Exception {
    Random random = new Random(SEED);
    // More distinct keys than the cache holds, revisited, so the cache is cleared and refilled.
    String[] secrets = new String[300];
    for (int i = 0; i < secrets.length; i++) {
      secrets[i] = Long.toString(random.nextLong(), 36) + "/Secret+" + i;
    }
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < secrets.length; i++) {
        String region = i % 2 == 0 ? "us-east-1" : "eu-west-1";
        String q = "Action=connect&User=u" + i;
        String amzDate = "2026030" + (1 + i % 9) + "T120000Z";
        assertThat(
                SigV4.signature(
                    secrets[i], amzDate.substring(0, 8), region, "memorydb", amzDate, "c", q))
            .isEqualTo(
                textbookSignature(
                    secrets[i], amzDate, region, "memorydb", "c", q, SigV4.EMPTY_PAYLOAD_SHA256));
      }
    }
  }

  @Test
  void signatureComparisonIsExact() {
    String a = "0".repeat(64);
    assertThat(SigV4.signaturesEqual(a, a)).isTrue();
    assertThat(SigV4.signaturesEqual(a, "0".repeat(63) + "1")).isFalse();
    assertThat(SigV4.signaturesEqual(a, "0".repeat(63))).isFalse();
  }
}
