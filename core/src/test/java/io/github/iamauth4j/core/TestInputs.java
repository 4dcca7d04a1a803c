package io.github.iamauth4j.core;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/** Generated inputs for the equality tests: odd but valid names, users, regions and instants. */
final class TestInputs {
  /** The seed of every generated input; {@code -Diamauth4j.seed=<n>} reproduces a failure. */
  static final long SEED = Long.getLong("iamauth4j.seed", 20261121L);

  static final List<String> REGIONS =
      List.of(
          "us-east-1",
          "us-east-2",
          "us-west-1",
          "us-west-2",
          "eu-west-1",
          "eu-west-3",
          "eu-central-1",
          "eu-central-2",
          "eu-north-1",
          "eu-south-2",
          "ap-southeast-1",
          "ap-southeast-2",
          "ap-southeast-5",
          "ap-northeast-1",
          "ap-northeast-3",
          "ap-south-1",
          "ap-east-1",
          "sa-east-1",
          "ca-central-1",
          "ca-west-1",
          "me-central-1",
          "il-central-1",
          "af-south-1",
          "mx-central-1",
          "cn-north-1",
          "cn-northwest-1",
          "us-gov-west-1",
          "us-gov-east-1");

  /** Instants at day, month, year and leap-day boundaries. */
  static final List<Instant> SPECIAL_INSTANTS =
      List.of(
          Instant.parse("2024-02-28T23:59:59Z"),
          Instant.parse("2024-02-29T00:00:00Z"),
          Instant.parse("2024-02-29T23:59:59.999Z"),
          Instant.parse("2024-03-01T00:00:00Z"),
          Instant.parse("2028-02-29T12:34:56.789Z"),
          Instant.parse("2000-02-29T00:00:00Z"),
          Instant.parse("2025-12-31T23:59:59Z"),
          Instant.parse("2026-01-01T00:00:00Z"),
          Instant.parse("2026-06-30T23:59:59.500Z"),
          Instant.parse("2025-01-01T00:00:00Z"),
          Instant.parse("2038-01-19T03:14:07Z"),
          Instant.parse("2038-01-19T03:14:08Z"),
          Instant.parse("2099-12-31T23:59:59Z"));

  private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  private static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
  private static final String DIGITS = "0123456789";
  private static final String ALNUM = UPPER + LOWER + DIGITS;
  private static final String BASE64 = ALNUM + "/+";
  private static final String RESERVED = " +/=%&?#:@!*'()~._-;,[]$\"<>\\^`{|}";
  private static final String[] NON_ASCII = {
    "é",
    "ü",
    "ß",
    "ñ",
    "ø",
    "Ω",
    "Ж",
    "日",
    "本",
    "語",
    "中",
    "한",
    "\u00a0",
    "\u2028",
    "\u200b",
    "\ufeff",
    "\ufffd",
    "\uffff",
    "\u0301",
    "😀",
    "𝔘",
    "𠀀",
    "🏳️‍🌈",
    "\uD83D\uDC4D\uD83C\uDFFD"
  };
  private static final Instant MIN = Instant.parse("2000-01-01T00:00:00Z");
  private static final Instant MAX = Instant.parse("2099-12-31T23:59:59Z");

  final Random random;

  TestInputs(long seed) {
    this.random = new Random(seed);
  }

  <T> T pick(List<T> items) {
    return items.get(random.nextInt(items.size()));
  }

  char pick(String chars) {
    return chars.charAt(random.nextInt(chars.length()));
  }

  String region() {
    return pick(REGIONS);
  }

  Instant instant() {
    if (random.nextInt(4) == 0) {
      return pick(SPECIAL_INSTANTS);
    }
    long span = MAX.getEpochSecond() - MIN.getEpochSecond();
    long s = MIN.getEpochSecond() + (long) (random.nextDouble() * span);
    return Instant.ofEpochSecond(s, random.nextInt(1000) * 1_000_000L);
  }

  AwsCredentials credentials() {
    String akid = (random.nextBoolean() ? "AKIA" : "ASIA") + chars(16, UPPER + "234567");
    String secret = chars(40, BASE64);
    if (random.nextBoolean()) {
      return AwsBasicCredentials.create(akid, secret);
    }
    return AwsSessionCredentials.create(akid, secret, sessionToken());
  }

  /** A session token with every character that needs encoding in it: '/', '+' and '='. */
  String sessionToken() {
    int n = 16 + random.nextInt(1200);
    StringBuilder b = new StringBuilder(chars(n, BASE64 + "="));
    b.insert(random.nextInt(b.length() + 1), '/');
    b.insert(random.nextInt(b.length() + 1), '+');
    b.append(random.nextBoolean() ? "=" : "==");
    return b.toString();
  }

  String chars(int n, String alphabet) {
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      b.append(pick(alphabet));
    }
    return b.toString();
  }

  /** An ElastiCache/MemoryDB name: a letter, letters and digits, single hyphens, 1 to 40. */
  String cacheName() {
    int len = random.nextInt(4) == 0 ? 40 : 1 + random.nextInt(40);
    StringBuilder b = new StringBuilder(len);
    b.append(pick(UPPER + LOWER));
    while (b.length() < len) {
      boolean hyphen =
          b.charAt(b.length() - 1) != '-' && b.length() < len - 1 && random.nextInt(5) == 0;
      b.append(hyphen ? '-' : pick(ALNUM));
    }
    return b.toString();
  }

  /** An ElastiCache user id: optional "default.", a letter, then letters, digits, hyphens. */
  String cacheUser() {
    String prefix = random.nextInt(8) == 0 ? "default." : "";
    int len =
        random.nextInt(4) == 0 ? 40 - prefix.length() : 1 + random.nextInt(40 - prefix.length());
    return prefix + pick(UPPER + LOWER) + chars(len - 1, ALNUM + "---");
  }

  /** A database user: printable ASCII, reserved characters and Unicode, 1 to 128 UTF-16 units. */
  String dbUser() {
    int len = random.nextInt(5) == 0 ? 128 : 1 + random.nextInt(random.nextBoolean() ? 16 : 128);
    StringBuilder b = new StringBuilder(len);
    while (b.length() < len) {
      int kind = random.nextInt(4);
      String piece =
          switch (kind) {
            case 0 -> String.valueOf(pick(ALNUM));
            case 1 -> String.valueOf(pick(RESERVED));
            default ->
                random.nextBoolean()
                    ? String.valueOf(pick(ALNUM))
                    : NON_ASCII[random.nextInt(NON_ASCII.length)];
          };
      if (b.length() + piece.length() <= len) {
        b.append(piece);
      } else {
        b.append(pick(ALNUM));
      }
    }
    return b.toString();
  }

  /** An RDS endpoint host in one of its forms, sometimes in mixed case, or any valid host name. */
  String rdsHost(String region) {
    String id = chars(12, LOWER + DIGITS);
    String suffix = region.startsWith("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com";
    String name = cacheName();
    String host =
        switch (random.nextInt(7)) {
          case 0 -> name + "." + id + "." + region + ".rds" + suffix;
          case 1 -> name + ".cluster-" + id + "." + region + ".rds" + suffix;
          case 2 -> name + ".cluster-ro-" + id + "." + region + ".rds" + suffix;
          case 3 -> name + ".cluster-custom-" + id + "." + region + ".rds" + suffix;
          case 4 -> name + ".proxy-" + id + "." + region + ".rds" + suffix;
          case 5 -> longHost();
          default -> random.nextBoolean() ? "localhost" : "10.0." + random.nextInt(256) + ".7";
        };
    return random.nextInt(5) == 0 ? mixCase(host) : host;
  }

  /** A DSQL cluster endpoint, or any valid host name. */
  String dsqlHost(String region) {
    String host =
        random.nextInt(4) == 0
            ? longHost()
            : chars(26, LOWER + DIGITS) + ".dsql." + region + ".on.aws";
    return random.nextInt(5) == 0 ? mixCase(host) : host;
  }

  /** A host name of several labels of up to 63 characters, at most 253 in all. */
  String longHost() {
    int total = random.nextBoolean() ? 253 : 1 + random.nextInt(253);
    StringBuilder b = new StringBuilder();
    while (true) {
      int room = total - b.length() - (b.length() > 0 ? 1 : 0);
      if (room < 1) {
        break;
      }
      int len = Math.min(room, 1 + random.nextInt(63));
      if (b.length() > 0) {
        b.append('.');
      }
      b.append(pick(ALNUM));
      for (int i = 1; i < len - 1; i++) {
        b.append(pick(ALNUM + "-"));
      }
      if (len > 1) {
        b.append(pick(ALNUM));
      }
    }
    return b.toString();
  }

  String mixCase(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      b.append(random.nextBoolean() ? Character.toUpperCase(c) : c);
    }
    return b.toString();
  }

  /**
   * A TCP port, sometimes 443: there the AWS SDK leaves the port out of the signed host (the HTTPS
   * default), and so do we.
   */
  int port() {
    return switch (random.nextInt(8)) {
      case 0 -> 5432;
      case 1 -> 3306;
      case 2 -> random.nextBoolean() ? 1 : 65535;
      case 3 -> 443;
      default -> 1 + random.nextInt(65535);
    };
  }

  /** A DSQL expiry: the default, the extremes, or anything up to the 7-day maximum. */
  Duration dsqlExpiry() {
    return switch (random.nextInt(8)) {
      case 0 -> Duration.ofSeconds(900);
      case 1 -> Duration.ofSeconds(1);
      case 2 -> Duration.ofDays(7);
      case 3 -> Duration.ofHours(1);
      case 4 -> Duration.ofHours(12);
      default -> Duration.ofSeconds(1 + random.nextInt(7 * 24 * 3600));
    };
  }
}
