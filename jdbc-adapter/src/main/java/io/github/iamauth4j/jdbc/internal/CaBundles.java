package io.github.iamauth4j.jdbc.internal;

import io.github.iamauth4j.core.IamConfigurationException;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Turns a PEM bundle of CA certificates (e.g. RDS's {@code global-bundle.pem}) into a PKCS#12 trust
 * store file, for drivers that read only key stores (MySQL Connector/J). One file per bundle
 * content, written once per JVM to the temp directory and deleted on exit.
 */
public final class CaBundles {
  /** The trust stores' password: it guards public certificates only. */
  public static final String STORE_PASSWORD = "iamauth4j";

  private static final ConcurrentMap<String, Path> STORES = new ConcurrentHashMap<>();

  private CaBundles() {}

  /**
   * A PKCS#12 trust store holding every certificate of {@code pemBundle}.
   *
   * @param pemBundle a PEM file of one or more certificates
   * @return the trust store file
   * @throws IamConfigurationException naming {@code iamCaBundle} if the file cannot be read or
   *     holds no certificate
   */
  public static Path pkcs12(Path pemBundle) {
    String key;
    try {
      key =
          pemBundle.toAbsolutePath()
              + "|"
              + Files.getLastModifiedTime(pemBundle).toMillis()
              + "|"
              + Files.size(pemBundle);
    } catch (IOException e) {
      throw unreadable(pemBundle, e);
    }
    return STORES.computeIfAbsent(key, k -> write(pemBundle));
  }

  private static Path write(Path pemBundle) {
    Collection<? extends Certificate> certs;
    try (InputStream in = Files.newInputStream(pemBundle)) {
      certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException | GeneralSecurityException e) {
      throw unreadable(pemBundle, e);
    }
    if (certs.isEmpty()) {
      throw new IamConfigurationException(
          "iamCaBundle: " + Quote.ifSafe(pemBundle.toString()) + " holds no PEM certificate");
    }
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
      throw new IamConfigurationException(
          "iamCaBundle: could not write a trust store for " + Quote.ifSafe(pemBundle.toString()));
    }
  }

  private static IamConfigurationException unreadable(Path file, Exception e) {
    IamConfigurationException x =
        new IamConfigurationException(
            "iamCaBundle: "
                + Quote.ifSafe(file.toString())
                + " cannot be read as a PEM bundle of CA certificates ("
                + e.getClass().getSimpleName()
                + ")");
    x.initCause(e);
    return x;
  }
}
