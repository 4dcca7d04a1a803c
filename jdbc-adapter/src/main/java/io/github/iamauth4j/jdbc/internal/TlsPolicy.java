package io.github.iamauth4j.jdbc.internal;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.InsecureConnectionException;
import io.github.iamauth4j.core.TlsRule;
import io.github.iamauth4j.core.internal.Texts;
import io.github.iamauth4j.jdbc.IamJdbcConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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
 * <p>A refusal is the core's {@link InsecureConnectionException} in the core's words ({@link
 * TlsRule}): where, the setting to fix and the values accepted, "No token was sent", and the
 * opt-out. With the opt-out, the core's {@link TlsRule} logs its warning once per connection
 * target.
 *
 * <p>MariaDB Connector/J is also given {@code restrictedAuth=mysql_clear_password} when it is not
 * set (its default list omits the plugin RDS uses for tokens).
 *
 * <p>A CA bundle (PEM) is read first, for every engine, and then becomes pgjdbc's {@code
 * sslrootcert}, MariaDB's {@code serverSslCert}, or a PKCS#12 trust store for MySQL Connector/J's
 * {@code trustCertificateKeyStoreUrl}. Aurora DSQL presents a certificate from a public CA: without
 * a CA setting, pgjdbc is told to use the JVM's trust store ({@code
 * sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory}).
 */
public final class TlsPolicy {
  /** The opt-out, as the two ways in that set it spell it, for messages. */
  public static final String OPT_OUT =
      IamJdbcConfig.ALLOW_PLAINTEXT
          + "=true (or IamJdbcConfig.Builder.allowPlaintextForLocalTesting(true))";

  private static final Set<String> PG_OK = Set.of("require", "verify-ca", "verify-full");
  private static final Set<String> MYSQL_OK = Set.of("REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY");

  private TlsPolicy() {}

  /**
   * Checks the TLS settings and returns the properties to add (defaults and the CA bundle).
   *
   * @param engine the engine, which decides the driver
   * @param where the connection, for messages (no secrets)
   * @param settings the connection settings
   * @param plan the CA bundle and the plaintext opt-out
   * @return properties to add to the driver's properties (empty if none)
   * @throws InsecureConnectionException naming the setting when TLS is not guaranteed
   * @throws IamConfigurationException when the CA bundle cannot be read or conflicts with a driver
   *     setting
   */
  public static Map<String, String> apply(
      Engine engine, String where, Lookup settings, PlanSettings plan) {
    Refusal refusal = new Refusal(where, engine, plan.allowPlaintext());
    // Switch expressions without default: a new engine without a TLS rule does not compile.
    Map<String, String> add =
        switch (engine) {
          case POSTGRESQL, DSQL -> postgres(settings, refusal);
          case MYSQL -> mysql(settings, refusal);
          case MARIADB -> mariadb(settings, refusal);
        };
    Path caBundle = plan.caBundle();
    if (caBundle != null) {
      add.putAll(caBundle(engine, settings, caBundle, plan.caBundleSetting()));
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
   * @param where the connection, for messages (no secrets)
   * @param settings the connection settings
   * @param plan the plaintext opt-out (a CA bundle is ignored: too late to use it)
   * @throws InsecureConnectionException when TLS is not guaranteed, including when nothing is set
   */
  public static void check(Engine engine, String where, Lookup settings, PlanSettings plan) {
    PlanSettings noCa =
        new PlanSettings(
            null,
            plan.allowPlaintext(),
            plan.signingHost(),
            plan.signingPort(),
            plan.fromProperties());
    Map<String, String> add = apply(engine, where, settings, noCa);
    String key = engine.isPostgresWire() ? "sslmode" : "sslMode";
    if (add.containsKey(key)) {
      new Refusal(where, engine, plan.allowPlaintext())
          .refuse(key, "not set, and the driver's default does not guarantee TLS");
    }
  }

  /** Where a refusal is reported, with what the engine accepts. */
  private record Refusal(String where, Engine engine, boolean allowPlaintext) {
    /**
     * Refuses {@code setting}, or (opt-out given) lets the core's rule log its warning.
     *
     * @param setting the driver setting to fix
     * @param problem what is wrong with it, not repeating a hostile value
     */
    void refuse(String setting, String problem) {
      String w = Texts.printable(where);
      if (allowPlaintext) {
        TlsRule.check(w, setting, false, false, true, OPT_OUT);
        return;
      }
      throw new InsecureConnectionException(
          setting,
          setting
              + ": "
              + problem
              + ", for "
              + w
              + " (expected "
              + accepted(engine)
              + ": RDS needs TLS for IAM authentication, and a token sent in clear is a bearer"
              + " secret anyone on the path can use). No token was sent. For a local test server"
              + " without TLS only, set "
              + OPT_OUT);
    }
  }

  private static Map<String, String> postgres(Lookup s, Refusal r) {
    Map<String, String> add = new LinkedHashMap<>();
    List<String> modes = s.values("sslmode");
    if (!modes.isEmpty()) {
      for (String m : modes) {
        String v = m.trim().toLowerCase(Locale.ROOT);
        if (!PG_OK.contains(v)) {
          r.refuse("sslmode", Texts.quoteIfSafe(m) + " does not guarantee TLS");
        }
      }
      return add;
    }
    List<String> ssl = s.values("ssl");
    if (!ssl.isEmpty()) {
      for (String v : ssl) {
        // pgjdbc: ssl=true (or "ssl" with no value) without sslmode means verify-full.
        if (!(v.isEmpty() || v.equalsIgnoreCase("true"))) {
          r.refuse(
              "ssl",
              Texts.quoteIfSafe(v)
                  + " turns TLS off (without sslmode, pgjdbc then only prefers TLS)");
        }
      }
      return add;
    }
    add.put("sslmode", "verify-full");
    return add;
  }

  private static Map<String, String> mysql(Lookup s, Refusal r) {
    Map<String, String> add = new LinkedHashMap<>();
    List<String> modes = s.values("sslMode");
    if (!modes.isEmpty()) {
      for (String m : modes) {
        if (!MYSQL_OK.contains(m.trim().toUpperCase(Locale.ROOT))) {
          r.refuse("sslMode", Texts.quoteIfSafe(m) + " does not guarantee TLS");
        }
      }
      return add;
    }
    List<String> useSsl = s.values("useSSL");
    List<String> verify = s.values("verifyServerCertificate");
    List<String> require = s.values("requireSSL");
    if (useSsl.isEmpty() && verify.isEmpty() && require.isEmpty()) {
      add.put("sslMode", "VERIFY_IDENTITY");
      return add;
    }
    // Connector/J's own translation of the legacy settings when sslMode is not set.
    String legacy;
    if (useSsl.stream().anyMatch(v -> !mysqlTrue(v))) {
      legacy = "useSSL=false means sslMode=DISABLED";
    } else if (verify.stream().anyMatch(TlsPolicy::mysqlTrue)
        || require.stream().anyMatch(TlsPolicy::mysqlTrue)) {
      return add;
    } else {
      legacy = "useSSL/requireSSL/verifyServerCertificate as given mean sslMode=PREFERRED";
    }
    r.refuse("sslMode", "not set, and the legacy settings do not guarantee TLS (" + legacy + ")");
    return add;
  }

  private static boolean mysqlTrue(String v) {
    String t = v.trim();
    return t.equalsIgnoreCase("true") || t.equalsIgnoreCase("yes");
  }

  private static Map<String, String> mariadb(Lookup s, Refusal r) {
    Map<String, String> add = new LinkedHashMap<>();
    // RDS takes the token through mysql_clear_password, which MariaDB Connector/J 3.0 to 3.x does
    // not allow by default (its default restrictedAuth omits it); the driver itself sends it only
    // over TLS.
    List<String> restricted = s.values("restrictedAuth");
    if (restricted.isEmpty()) {
      add.put("restrictedAuth", "mysql_clear_password");
    } else {
      for (String v : restricted) {
        if (!List.of(v.replace(" ", "").split(",")).contains("mysql_clear_password")) {
          throw new IamConfigurationException(
              "restrictedAuth: "
                  + Texts.quoteIfSafe(v)
                  + " does not allow mysql_clear_password, through which RDS takes the IAM token"
                  + " (add it, or leave restrictedAuth unset)");
        }
      }
    }
    List<String> modes = s.values("sslMode");
    if (!modes.isEmpty()) {
      for (String m : modes) {
        if (!mariadbEncrypts(m)) {
          r.refuse("sslMode", Texts.quoteIfSafe(m) + " does not guarantee TLS");
        }
      }
      return add;
    }
    List<String> useSsl = s.values("useSsl");
    if (useSsl.isEmpty()) {
      add.put("sslMode", "verify-full");
      return add;
    }
    for (String v : useSsl) {
      // MariaDB Connector/J: useSsl is "set" only for 1, true or an empty value.
      if (!(v.equals("1") || v.equals("true") || v.isEmpty())) {
        r.refuse(
            "useSsl",
            Texts.quoteIfSafe(v) + " leaves TLS off (the driver's default sslMode is disable)");
      }
    }
    return add;
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

  private static String accepted(Engine engine) {
    return switch (engine) {
      case POSTGRESQL, DSQL -> "sslmode=verify-full (recommended), verify-ca or require";
      case MYSQL -> "sslMode=VERIFY_IDENTITY (recommended), VERIFY_CA or REQUIRED";
      case MARIADB -> "sslMode=verify-full (recommended), verify-ca or trust";
    };
  }

  private static Map<String, String> caBundle(
      Engine engine, Lookup s, Path bundle, String setting) {
    // Read for every engine: a missing or non-PEM file fails here, before any token is signed.
    CaBundles.check(bundle, setting);
    String file = bundle.toAbsolutePath().toString();
    return switch (engine) {
      case POSTGRESQL, DSQL -> conflict(s, "sslrootcert", file, setting);
      case MARIADB -> conflict(s, "serverSslCert", file, setting);
      case MYSQL -> {
        if (s.has("trustCertificateKeyStoreUrl")) {
          throw new IamConfigurationException(
              setting
                  + ": cannot be combined with trustCertificateKeyStoreUrl (give the CAs one way)");
        }
        Map<String, String> add = new LinkedHashMap<>();
        Path store = CaBundles.pkcs12(bundle, setting);
        add.put("trustCertificateKeyStoreUrl", store.toUri().toString());
        add.put("trustCertificateKeyStoreType", "PKCS12");
        add.put("trustCertificateKeyStorePassword", CaBundles.STORE_PASSWORD);
        yield add;
      }
    };
  }

  private static Map<String, String> conflict(Lookup s, String key, String file, String setting) {
    for (String v : s.values(key)) {
      if (!v.equals(file)) {
        throw new IamConfigurationException(
            setting
                + ": cannot be combined with "
                + key
                + " set to another file (give the CAs one way)");
      }
    }
    return Map.of(key, file);
  }
}
