package io.github.iamauth4j.testkit.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority and a server certificate it signed, for an emulator's TLS
 * endpoint. Clients trust the CA ({@link #caPemFile()}, {@link #trustStore()}, {@link
 * #clientContext()}) and verify the server's name ({@code localhost}, {@code 127.0.0.1} and {@code
 * ::1} by default), as {@code sslmode=verify-full} or {@code VERIFY_IDENTITY} require.
 *
 * <p>RSA 2048 keys, for the widest client support (OpenSSL, GnuTLS, the JDK). {@link #localhost()}
 * generates once per JVM; {@link #generate(List, List)} makes new material.
 */
public final class TlsMaterial {
  private static final char[] STORE_PASSWORD = "iamauth4j-testkit".toCharArray();
  private static volatile @org.jspecify.annotations.Nullable TlsMaterial localhost;

  private final X509Certificate caCertificate;
  private final X509Certificate serverCertificate;
  private final KeyPair serverKeys;
  private final List<String> dnsNames;
  private final List<String> ipAddresses;
  private volatile @org.jspecify.annotations.Nullable Path caFile;

  private TlsMaterial(
      X509Certificate ca,
      X509Certificate server,
      KeyPair serverKeys,
      List<String> dnsNames,
      List<String> ips) {
    this.caCertificate = ca;
    this.serverCertificate = server;
    this.serverKeys = serverKeys;
    this.dnsNames = List.copyOf(dnsNames);
    this.ipAddresses = List.copyOf(ips);
  }

  /** Material for {@code localhost}, {@code 127.0.0.1} and {@code ::1}, generated once per JVM. */
  public static TlsMaterial localhost() {
    TlsMaterial m = localhost;
    if (m == null) {
      synchronized (TlsMaterial.class) {
        m = localhost;
        if (m == null) {
          m = generate(List.of("localhost"), List.of("127.0.0.1", "::1"));
          localhost = m;
        }
      }
    }
    return m;
  }

  /**
   * Generates a new CA and a server certificate for the given names.
   *
   * @param dnsNames DNS names the certificate is valid for (the first is also its CN)
   * @param ipAddresses IP addresses it is valid for
   * @throws IllegalStateException if the JVM lacks RSA or SHA256withRSA
   */
  public static TlsMaterial generate(List<String> dnsNames, List<String> ipAddresses) {
    if (dnsNames.isEmpty() && ipAddresses.isEmpty()) {
      throw new IllegalArgumentException("dnsNames, ipAddresses: at least one name is required");
    }
    try {
      SecureRandom random = new SecureRandom();
      KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
      gen.initialize(2048, random);
      KeyPair caKeys = gen.generateKeyPair();
      KeyPair serverKeys = gen.generateKeyPair();
      Instant now = Instant.now();
      Date from = Date.from(now.minus(Duration.ofDays(1)));
      Date until = Date.from(now.plus(Duration.ofDays(3650)));
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();

      X500Name caName = new X500Name("CN=iamauth4j testkit CA " + now.toEpochMilli());
      X509v3CertificateBuilder ca =
          new JcaX509v3CertificateBuilder(
              caName, new BigInteger(64, random), from, until, caName, caKeys.getPublic());
      ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      ca.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      ca.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          ext.createSubjectKeyIdentifier(caKeys.getPublic()));
      X509Certificate caCert = sign(ca, caKeys);

      String cn = dnsNames.isEmpty() ? ipAddresses.get(0) : dnsNames.get(0);
      List<GeneralName> names = new ArrayList<>();
      dnsNames.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
      ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
      X509v3CertificateBuilder server =
          new JcaX509v3CertificateBuilder(
              caName,
              new BigInteger(64, random),
              from,
              until,
              new X500Name("CN=" + cn),
              serverKeys.getPublic());
      server.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      server.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      server.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      server.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(names.toArray(new GeneralName[0])));
      server.addExtension(
          Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
      X509Certificate serverCert = sign(server, caKeys);
      return new TlsMaterial(caCert, serverCert, serverKeys, dnsNames, ipAddresses);
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("could not generate TLS material for the emulator", e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair issuer)
      throws OperatorCreationException, GeneralSecurityException {
    ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").build(issuer.getPrivate());
    return new JcaX509CertificateConverter().getCertificate(b.build(signer));
  }

  /** The CA certificate clients must trust. */
  public X509Certificate caCertificate() {
    return caCertificate;
  }

  /** The server certificate (signed by the CA). */
  public X509Certificate serverCertificate() {
    return serverCertificate;
  }

  /** The DNS names the server certificate is valid for. */
  public List<String> dnsNames() {
    return dnsNames;
  }

  /** The IP addresses the server certificate is valid for. */
  public List<String> ipAddresses() {
    return ipAddresses;
  }

  /** The CA certificate in PEM form. */
  public String caPem() {
    return pem(caCertificate);
  }

  /** The server certificate chain (server, CA) in PEM form. */
  public String serverChainPem() {
    return pem(serverCertificate) + pem(caCertificate);
  }

  /** The server's private key in PEM form (PKCS#8); a test key, but keep it out of logs. */
  public String serverKeyPem() {
    return pem(serverKeys.getPrivate());
  }

  private static String pem(Object o) {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter p = new JcaPEMWriter(w)) {
      p.writeObject(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  /**
   * The CA certificate as a PEM file (written once to a temp file, deleted on exit), for {@code
   * redis-cli --cacert}, {@code psql sslrootcert=} or a driver's CA setting.
   */
  public Path caPemFile() {
    Path f = caFile;
    if (f == null) {
      synchronized (this) {
        f = caFile;
        if (f == null) {
          try {
            f = Files.createTempFile("iamauth4j-ca-", ".pem");
            Files.writeString(f, caPem(), StandardCharsets.US_ASCII);
            f.toFile().deleteOnExit();
          } catch (IOException e) {
            throw new UncheckedIOException("could not write the emulator's CA file", e);
          }
          caFile = f;
        }
      }
    }
    return f;
  }

  /** A PKCS#12 trust store (password {@link #trustStorePassword()}) holding the CA. */
  public KeyStore trustStore() {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setCertificateEntry("iamauth4j-testkit-ca", caCertificate);
      return ks;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("could not build the trust store", e);
    }
  }

  /**
   * Writes {@link #trustStore()} to {@code file} (PKCS#12), for drivers that take a trust store
   * file, e.g. MySQL Connector/J's {@code trustCertificateKeyStoreUrl}.
   *
   * @param file where to write
   * @return {@code file}
   */
  public Path writeTrustStore(Path file) {
    try (OutputStream out = Files.newOutputStream(file)) {
      trustStore().store(out, STORE_PASSWORD);
      return file;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("could not write the trust store", e);
    }
  }

  /** The password of the trust stores this class writes (not a secret: it guards a public CA). */
  public String trustStorePassword() {
    return new String(STORE_PASSWORD);
  }

  /** A server-side {@link SSLContext} presenting the server certificate chain. */
  public SSLContext serverContext() {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(
          "server",
          serverKeys.getPrivate(),
          STORE_PASSWORD,
          new X509Certificate[] {serverCertificate, caCertificate});
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, STORE_PASSWORD);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("could not build the emulator's TLS context", e);
    }
  }

  /** A client-side {@link SSLContext} that trusts only this CA. */
  public SSLContext clientContext() {
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trustStore());
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("could not build a client TLS context", e);
    }
  }

  @Override
  public String toString() {
    return "TlsMaterial[names="
        + dnsNames
        + ", ips="
        + ipAddresses
        + ", ca="
        + caCertificate.getSubjectX500Principal().getName()
        + "]";
  }
}
