package io.github.iamauth4j.testkit.rds;

import io.github.iamauth4j.core.AwsRegions;
import io.github.iamauth4j.testkit.tls.TlsMaterial;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The settings both RDS emulators share, filled by their builders. Setters validate what they can
 * at once; {@link #problems()} lists what is missing.
 */
final class Settings {
  @Nullable String backendHost;
  int backendPort = -1;
  @Nullable String adminUser;
  @Nullable String adminPassword;
  String endpointHost = "localhost";
  String region = "us-east-1";
  final List<TrustedCredentials> trusted = new ArrayList<>();
  Clock clock = Clock.systemUTC();
  Duration allowedClockSkew = Duration.ofMinutes(5);
  @Nullable TlsMaterial tls;
  int port;
  Duration backendConnectTimeout = Duration.ofSeconds(10);
  Duration handshakeTimeout = Duration.ofSeconds(30);
  final Set<String> iamUsers = new TreeSet<>();
  final Map<String, String> passwordUsers = new LinkedHashMap<>();

  void iamUser(String user) {
    iamUsers.add(userName("iamUser", user));
  }

  void passwordUser(String user, String password) {
    Objects.requireNonNull(password, "passwordUser password");
    if (password.isEmpty()) {
      throw new IllegalArgumentException("passwordUser: the password of \"" + user + "\" is empty");
    }
    passwordUsers.put(userName("passwordUser", user), password);
  }

  static String userName(String setting, String user) {
    Objects.requireNonNull(user, setting);
    if (user.isEmpty() || user.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(setting + ": \"" + user + "\" is not a user name");
    }
    return user;
  }

  void backend(String host, int port) {
    Objects.requireNonNull(host, "backend host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("backend: the host must not be blank");
    }
    checkPort("backend", port, false);
    this.backendHost = host;
    this.backendPort = port;
  }

  void backendAdmin(String user, String password) {
    Objects.requireNonNull(user, "backendAdmin user");
    Objects.requireNonNull(password, "backendAdmin password");
    if (user.isEmpty()) {
      throw new IllegalArgumentException("backendAdmin: the user must not be empty");
    }
    this.adminUser = user;
    this.adminPassword = password;
  }

  void endpointHost(String host) {
    Objects.requireNonNull(host, "endpointHost");
    if (host.isBlank() || host.contains(":") || host.contains("/")) {
      throw new IllegalArgumentException(
          "endpointHost: \"" + host + "\" is not a host name (expected e.g. \"localhost\")");
    }
    this.endpointHost = host.toLowerCase(Locale.ROOT);
  }

  void region(String region) {
    Objects.requireNonNull(region, "region");
    if (!AwsRegions.isValid(region)) {
      throw new IllegalArgumentException(
          "region: \"" + region + "\" is not an AWS region (expected e.g. \"us-east-1\")");
    }
    this.region = region;
  }

  void trust(TrustedCredentials credentials) {
    trusted.add(Objects.requireNonNull(credentials, "trust"));
  }

  void clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  void allowedClockSkew(Duration skew) {
    Objects.requireNonNull(skew, "allowedClockSkew");
    if (skew.isNegative()) {
      throw new IllegalArgumentException("allowedClockSkew: " + skew + " is negative");
    }
    this.allowedClockSkew = skew;
  }

  void tls(TlsMaterial tls) {
    this.tls = Objects.requireNonNull(tls, "tls");
  }

  void port(int port) {
    checkPort("port", port, true);
    this.port = port;
  }

  void backendConnectTimeout(Duration timeout) {
    this.backendConnectTimeout = positive("backendConnectTimeout", timeout);
  }

  void handshakeTimeout(Duration timeout) {
    this.handshakeTimeout = positive("handshakeTimeout", timeout);
  }

  /** Every missing required setting, for one exception listing them all. */
  List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (backendHost == null) {
      problems.add("backend: is required (the host and port of the real server)");
    }
    if (adminUser == null) {
      problems.add(
          "backendAdmin: is required (a user of the real server that may create users and grant"
              + " privileges, and its password)");
    } else if (passwordUsers.containsKey(adminUser)) {
      problems.add(
          "passwordUser: \""
              + adminUser
              + "\" is the backend admin, whose password the emulator already has");
    }
    return problems;
  }

  List<TrustedCredentials> trustedOrExample() {
    return trusted.isEmpty() ? List.of(TrustedCredentials.example()) : List.copyOf(trusted);
  }

  TlsMaterial tlsOrLocalhost() {
    TlsMaterial t = tls;
    return t != null ? t : TlsMaterial.localhost();
  }

  static int timeoutMillis(Duration d) {
    long ms = d.toMillis();
    return ms > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) Math.max(1, ms);
  }

  private static Duration positive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(name + ": " + d + " is not positive");
    }
    return d;
  }

  private static void checkPort(String name, int port, boolean zeroAllowed) {
    if (port < (zeroAllowed ? 0 : 1) || port > 65535) {
      throw new IllegalArgumentException(
          name
              + ": "
              + port
              + " is not a TCP port (expected "
              + (zeroAllowed ? "0 for a free port, or 1" : "1")
              + " to 65535)");
    }
  }
}
