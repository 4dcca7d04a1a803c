package io.github.iamauth4j.jdbc.internal;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.jdbc.InsecureConnectionException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses settings that could send a token without TLS, and fills in the safest settings when none
 * are given. Accepted (each encrypts; the first verifies the server's name too):
 *
 * <ul>
 *   <li>pgjdbc {@code sslmode}: {@code verify-full} (the default set), {@code verify-ca}, {@code
 *       require}; {@code ssl=true} without {@code sslmode} is {@code verify-full}. Refused: {@code
 *       disable}, {@code allow}, {@code prefer} (pgjdbc's own default).
 *   <li>MySQL Connector/J {@code sslMode}: {@code VERIFY_IDENTITY} (the default set), {@code
 *       VERIFY_CA}, {@code REQUIRED}; the legacy {@code useSSL}/{@code requireSSL}/{@code
 *       verifyServerCertificate} are read as the driver reads them. Refused: {@code DISABLED},
 *       {@code PREFERRED} (the driver's default).
 *   <li>MariaDB Connector/J {@code sslMode}: {@code verify-full} (the default set), {@code
 *       verify-ca}, {@code trust} (and their aliases); the legacy {@code useSsl} likewise. Refused:
 *       {@code disable} (the driver's default).
 * </ul>
 *
 * <p>MariaDB Connector/J is also given {@code restrictedAuth=mysql_clear_password} when it is not
 * set (its default list omits the plugin RDS uses for tokens).
 *
 * <p>A CA bundle (PEM) becomes pgjdbc's {@code sslrootcert}, MariaDB's {@code serverSslCert}, or a
 * PKCS#12 trust store for MySQL Connector/J's {@code trustCertificateKeyStoreUrl}. Aurora DSQL
 * presents a certificate from a public CA: without a CA setting, pgjdbc is told to use the JVM's
 * trust store ({@code sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory}).
 */
public final class TlsPolicy {
  private static final Logger log = LoggerFactory.getLogger(TlsPolicy.class);

  /** The opt-out setting's name, for messages. */
  public static final String PLAINTEXT_OPT_OUT = "iamAllowPlaintextForLocalTesting";

  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();
  private static final Set<String> PG_OK = Set.of("require", "verify-ca", "verify-full");
  private static final Set<String> MYSQL_OK = Set.of("REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY");

  private TlsPolicy() {}

  /**
   * Checks the TLS settings and returns the properties to add (defaults and the CA bundle).
   *
   * @param engine the engine, which decides the driver
   * @param settings the connection settings
   * @param caBundle a PEM file of CA certificates to trust, or null
   * @param allowPlaintext the loudly named opt-out for local tests
   * @return properties to add to the driver's properties (empty if none)
   * @throws InsecureConnectionException naming the setting when TLS is not guaranteed
   * @throws IamConfigurationException when the CA bundle conflicts with a driver setting or cannot
   *     be read
   */
  public static Map<String, String> apply(
      Engine engine, Lookup settings, @Nullable Path caBundle, boolean allowPlaintext) {
    Map<String, String> add = new LinkedHashMap<>();
    switch (engine) {
      case POSTGRESQL:
      case DSQL:
        postgres(engine, settings, add, allowPlaintext);
        break;
      case MYSQL:
        mysql(settings, add, allowPlaintext);
        break;
      default:
        mariadb(settings, add, allowPlaintext);
        break;
    }
    if (caBundle != null) {
      caBundle(engine, settings, caBundle, add);
    } else if (engine == Engine.DSQL
        && !settings.has("sslrootcert")
        && !settings.has("sslfactory")) {
      add.put("sslfactory", "org.postgresql.ssl.DefaultJavaSSLFactory");
    }
    return add;
  }

  /**
   * Only checks (for hooks that run after the connection is made, e.g. pgjdbc's authentication
   * plugin): no defaults can be added there.
   *
   * @param engine the engine
   * @param settings the connection settings
   * @param allowPlaintext the opt-out
   * @throws InsecureConnectionException when TLS is not guaranteed, including when nothing is set
   */
  public static void check(Engine engine, Lookup settings, boolean allowPlaintext) {
    Map<String, String> add = apply(engine, settings, null, allowPlaintext);
    String key = engine.isPostgresWire() ? "sslmode" : "sslMode";
    if (add.containsKey(key) && !allowPlaintext) {
      throw refuse(
          key,
          key + ": not set, and the driver's default does not guarantee TLS" + expected(engine));
    }
  }

  private static void postgres(
      Engine engine, Lookup s, Map<String, String> add, boolean allowPlaintext) {
    List<String> modes = s.values("sslmode");
    if (!modes.isEmpty()) {
      for (String m : modes) {
        String v = m.trim().toLowerCase(Locale.ROOT);
        if (!PG_OK.contains(v)) {
          refuseOrWarn(
              allowPlaintext,
              "sslmode",
              "sslmode: "
                  + JdbcUrl.quote(m)
                  + " does not guarantee TLS, and the IAM token is a password sent in clear"
                  + " inside the connection"
                  + expected(engine));
        }
      }
      return;
    }
    List<String> ssl = s.values("ssl");
    if (!ssl.isEmpty()) {
      for (String v : ssl) {
        // pgjdbc: ssl=true (or "ssl" with no value) without sslmode means verify-full.
        if (!(v.isEmpty() || v.equalsIgnoreCase("true"))) {
          refuseOrWarn(
              allowPlaintext,
              "ssl",
              "ssl: "
                  + JdbcUrl.quote(v)
                  + " turns TLS off (without sslmode, pgjdbc then only prefers TLS)"
                  + expected(engine));
        }
      }
      return;
    }
    add.put("sslmode", "verify-full");
  }

  private static void mysql(Lookup s, Map<String, String> add, boolean allowPlaintext) {
    List<String> modes = s.values("sslMode");
    if (!modes.isEmpty()) {
      for (String m : modes) {
        if (!MYSQL_OK.contains(m.trim().toUpperCase(Locale.ROOT))) {
          refuseOrWarn(
              allowPlaintext,
              "sslMode",
              "sslMode: "
                  + JdbcUrl.quote(m)
                  + " does not guarantee TLS, and the IAM token is a password sent in clear"
                  + " (mysql_clear_password)"
                  + expected(Engine.MYSQL));
        }
      }
      return;
    }
    List<String> useSsl = s.values("useSSL");
    List<String> verify = s.values("verifyServerCertificate");
    List<String> require = s.values("requireSSL");
    if (useSsl.isEmpty() && verify.isEmpty() && require.isEmpty()) {
      add.put("sslMode", "VERIFY_IDENTITY");
      return;
    }
    // Connector/J's own translation of the legacy settings when sslMode is not set.
    String legacy;
    if (useSsl.stream().anyMatch(v -> !mysqlTrue(v))) {
      legacy = "useSSL=false means sslMode=DISABLED";
    } else if (verify.stream().anyMatch(TlsPolicy::mysqlTrue)
        || require.stream().anyMatch(TlsPolicy::mysqlTrue)) {
      return;
    } else {
      legacy = "useSSL/requireSSL/verifyServerCertificate as given mean sslMode=PREFERRED";
    }
    refuseOrWarn(
        allowPlaintext,
        "sslMode",
        "sslMode: not set, and the legacy settings do not guarantee TLS ("
            + legacy
            + ")"
            + expected(Engine.MYSQL));
  }

  private static boolean mysqlTrue(String v) {
    String t = v.trim();
    return t.equalsIgnoreCase("true") || t.equalsIgnoreCase("yes");
  }

  private static void mariadb(Lookup s, Map<String, String> add, boolean allowPlaintext) {
    // RDS takes the token through mysql_clear_password, which MariaDB Connector/J 3.0 to 3.x does
    // not allow by default (its default restrictedAuth omits it); the driver itself sends it only
    // over TLS.
    List<String> restricted = s.values("restrictedAuth");
    if (restricted.isEmpty()) {
      add.put("restrictedAuth", "mysql_clear_password");
    } else {
      for (String r : restricted) {
        if (!List.of(r.replace(" ", "").split(",")).contains("mysql_clear_password")) {
          throw new IamConfigurationException(
              "restrictedAuth: "
                  + JdbcUrl.quote(r)
                  + " does not allow mysql_clear_password, through which RDS takes the IAM token"
                  + " (add it, or leave restrictedAuth unset)");
        }
      }
    }
    List<String> modes = s.values("sslMode");
    if (!modes.isEmpty()) {
      for (String m : modes) {
        if (!mariadbEncrypts(m)) {
          refuseOrWarn(
              allowPlaintext,
              "sslMode",
              "sslMode: "
                  + JdbcUrl.quote(m)
                  + " does not guarantee TLS, and the IAM token is a password sent in clear"
                  + " (mysql_clear_password)"
                  + expected(Engine.MARIADB));
        }
      }
      return;
    }
    List<String> useSsl = s.values("useSsl");
    if (useSsl.isEmpty()) {
      add.put("sslMode", "verify-full");
      return;
    }
    for (String v : useSsl) {
      // MariaDB Connector/J: useSsl is "set" only for 1, true or an empty value.
      if (!(v.equals("1") || v.equals("true") || v.isEmpty())) {
        refuseOrWarn(
            allowPlaintext,
            "useSsl",
            "useSsl: "
                + JdbcUrl.quote(v)
                + " leaves TLS off (the driver's default sslMode is disable)"
                + expected(Engine.MARIADB));
      }
    }
  }

  private static boolean mariadbEncrypts(String mode) {
    switch (mode.trim().toLowerCase(Locale.ROOT)) {
      case "trust":
      case "required":
      case "verify-ca":
      case "verify_ca":
      case "verify-full":
      case "verify_full":
      case "verify_identity":
      case "1":
      case "true":
        return true;
      default:
        return false;
    }
  }

  private static String expected(Engine engine) {
    if (engine.isPostgresWire()) {
      return " (expected sslmode=verify-full (recommended), verify-ca or require; or "
          + PLAINTEXT_OPT_OUT
          + "=true for a local test server without TLS)";
    }
    if (engine == Engine.MYSQL) {
      return " (expected sslMode=VERIFY_IDENTITY (recommended), VERIFY_CA or REQUIRED; or "
          + PLAINTEXT_OPT_OUT
          + "=true for a local test server without TLS)";
    }
    return " (expected sslMode=verify-full (recommended), verify-ca or trust; or "
        + PLAINTEXT_OPT_OUT
        + "=true for a local test server without TLS)";
  }

  private static void refuseOrWarn(boolean allowPlaintext, String setting, String problem) {
    if (!allowPlaintext) {
      throw refuse(setting, problem);
    }
    if (!WARNED.add(setting)) {
      return;
    }
    log.warn(
        "{}=true: IAM tokens may be sent WITHOUT TLS ({}). Use this only against a local test"
            + " server. (Logged once per setting.)",
        PLAINTEXT_OPT_OUT,
        setting);
  }

  private static InsecureConnectionException refuse(String setting, String problem) {
    return new InsecureConnectionException(setting, problem);
  }

  private static void caBundle(Engine engine, Lookup s, Path bundle, Map<String, String> add) {
    String file = bundle.toAbsolutePath().toString();
    switch (engine) {
      case POSTGRESQL:
      case DSQL:
        conflict(s, "sslrootcert", file);
        add.put("sslrootcert", file);
        break;
      case MARIADB:
        conflict(s, "serverSslCert", file);
        add.put("serverSslCert", file);
        break;
      default:
        if (s.has("trustCertificateKeyStoreUrl")) {
          throw new IamConfigurationException(
              "iamCaBundle: cannot be combined with trustCertificateKeyStoreUrl (give the CAs"
                  + " one way)");
        }
        Path store = CaBundles.pkcs12(bundle);
        add.put("trustCertificateKeyStoreUrl", store.toUri().toString());
        add.put("trustCertificateKeyStoreType", "PKCS12");
        add.put("trustCertificateKeyStorePassword", CaBundles.STORE_PASSWORD);
        break;
    }
  }

  private static void conflict(Lookup s, String key, String file) {
    for (String v : s.values(key)) {
      if (!v.equals(file)) {
        throw new IamConfigurationException(
            "iamCaBundle: cannot be combined with "
                + key
                + " set to another file (give the CAs one way)");
      }
    }
  }
}
