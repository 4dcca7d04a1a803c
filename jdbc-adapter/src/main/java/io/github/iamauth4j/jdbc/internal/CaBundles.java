package io.github.iamauth4j.jdbc.internal;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.internal.Texts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Reads PEM bundles of CA certificates (e.g. RDS's {@code global-bundle.pem}): {@link #check}
 * before any connection (every engine), and {@link #pkcs12} for drivers that read only key stores
 * (MySQL Connector/J): one file per bundle content, written once per JVM to the temp directory and
 * deleted on exit.
 */
public final class CaBundles {
  /** The trust stores' password: it guards public certificates only. */
  public static final String STORE_PASSWORD = "iamauth4j";

  private static final ConcurrentMap<String, List<Certificate>> READ = new ConcurrentHashMap<>();
  private static final ConcurrentMap<String, Path> STORES = new ConcurrentHashMap<>();

  private CaBundles() {}

  /**
   * Checks that {@code pemBundle} can be read and holds at least one PEM certificate (read once per
   * file version).
   *
   * @param pemBundle the bundle
   * @param setting the setting that named it, for messages
   * @throws IamConfigurationException naming the setting if it cannot be read or holds no
   *     certificate
   */
  public static void check(Path pemBundle, String setting) {
    certificates(pemBundle, setting);
  }

  /**
   * A PKCS#12 trust store holding every certificate of {@code pemBundle}.
   *
   * @param pemBundle a PEM file of one or more certificates
   * @param setting the setting that named it, for messages
   * @return the trust store file
   * @throws IamConfigurationException naming the setting if the file cannot be read or holds no
   *     certificate
   */
  public static Path pkcs12(Path pemBundle, String setting) {
    List<Certificate> certs = certificates(pemBundle, setting);
    return STORES.computeIfAbsent(key(pemBundle, setting), k -> write(certs, pemBundle, setting));
  }

  private static List<Certificate> certificates(Path pemBundle, String setting) {
    return READ.computeIfAbsent(key(pemBundle, setting), k -> read(pemBundle, setting));
  }

  private static String key(Path pemBundle, String setting) {
    try {
      return pemBundle.toAbsolutePath()
          + "|"
          + Files.getLastModifiedTime(pemBundle).toMillis()
          + "|"
          + Files.size(pemBundle);
    } catch (IOException | RuntimeException e) {
      throw unreadable(pemBundle, setting, e);
    }
  }

  private static List<Certificate> read(Path pemBundle, String setting) {
    Collection<? extends Certificate> certs;
    try (InputStream in = Files.newInputStream(pemBundle)) {
      certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw unreadable(pemBundle, setting, e);
    }
    if (certs.isEmpty()) {
      throw new IamConfigurationException(
          setting + ": " + Texts.quoteIfSafe(pemBundle.toString()) + " holds no PEM certificate");
    }
    return List.copyOf(certs);
  }

  private static Path write(List<Certificate> certs, Path pemBundle, String setting) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        ks.setCertificateEntry("ca-" + i++, c);
      }
      Path file = Files.createTempFile("iamauth4j-truststore-", ".p12");
      file.toFile().deleteOnExit();
      try (OutputStream out = Files.newOutputStream(file)) {
        ks.store(out, STORE_PASSWORD.toCharArray());
      }
      return file;
    } catch (IOException | GeneralSecurityException e) {
      IamConfigurationException x =
          new IamConfigurationException(
              setting
                  + ": could not write a trust store for "
                  + Texts.quoteIfSafe(pemBundle.toString()));
      x.initCause(e);
      throw x;
    }
  }

  private static IamConfigurationException unreadable(Path file, String setting, Exception e) {
    IamConfigurationException x =
        new IamConfigurationException(
            setting
                + ": "
                + Texts.quoteIfSafe(file.toString())
                + " cannot be read as a PEM bundle of CA certificates ("
                + e.getClass().getSimpleName()
                + ")");
    x.initCause(e);
    return x;
  }
}
