package io.github.iamauth4j.testkit.rds;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The client side of SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL uses it: no channel binding,
 * an empty user name (the server takes the startup user). The password is used as given (SASLprep
 * is the identity for the ASCII secrets the emulator generates).
 */
final class ScramSha256 {
  static final String MECHANISM = "SCRAM-SHA-256";
  private static final String GS2_HEADER = "n,,";

  private final byte[] password;
  private final String clientNonce;
  private final String clientFirstBare;
  private byte[] saltedPassword = new byte[0];
  private String authMessage = "";

  ScramSha256(String password, SecureRandom random) {
    this("", password, randomNonce(random));
  }

  /** With a given user name and nonce, for known-answer tests. */
  ScramSha256(String user, String password, String clientNonce) {
    this.password = password.getBytes(StandardCharsets.UTF_8);
    this.clientNonce = clientNonce;
    this.clientFirstBare = "n=" + user + ",r=" + clientNonce;
  }

  private static String randomNonce(SecureRandom random) {
    byte[] nonce = new byte[18];
    random.nextBytes(nonce);
    return Base64.getEncoder().encodeToString(nonce);
  }

  /** The client-first-message. */
  String clientFirst() {
    return GS2_HEADER + clientFirstBare;
  }

  /**
   * The client-final-message for the server-first-message.
   *
   * @throws IllegalArgumentException if the server's message is malformed or its nonce does not
   *     extend ours
   */
  String clientFinal(String serverFirst) {
    Map<Character, String> attrs = attributes(serverFirst);
    String nonce = attrs.get('r');
    String salt = attrs.get('s');
    String iterations = attrs.get('i');
    if (nonce == null || salt == null || iterations == null || !nonce.startsWith(clientNonce)) {
      throw new IllegalArgumentException("malformed SCRAM server-first-message");
    }
    int i = Integer.parseInt(iterations);
    if (i < 1 || i > 10_000_000) {
      throw new IllegalArgumentException("SCRAM iteration count " + i + " out of range");
    }
    saltedPassword = hi(password, Base64.getDecoder().decode(salt), i);
    String withoutProof =
        "c="
            + Base64.getEncoder().encodeToString(GS2_HEADER.getBytes(StandardCharsets.US_ASCII))
            + ",r="
            + nonce;
    authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
    byte[] clientKey = hmac(saltedPassword, "Client Key");
    byte[] storedKey = sha256(clientKey);
    byte[] signature = hmac(storedKey, authMessage);
    byte[] proof = new byte[clientKey.length];
    for (int k = 0; k < proof.length; k++) {
      proof[k] = (byte) (clientKey[k] ^ signature[k]);
    }
    return withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof);
  }

  /** Whether the server-final-message proves the server knows the password. */
  boolean serverFinalValid(String serverFinal) {
    String v = attributes(serverFinal).get('v');
    if (v == null) {
      return false;
    }
    byte[] expected = hmac(hmac(saltedPassword, "Server Key"), authMessage);
    return MessageDigest.isEqual(expected, Base64.getDecoder().decode(v));
  }

  private static Map<Character, String> attributes(String message) {
    Map<Character, String> m = new HashMap<>();
    for (String part : message.split(",")) {
      if (part.length() >= 2 && part.charAt(1) == '=') {
        m.put(part.charAt(0), part.substring(2));
      }
    }
    return m;
  }

  private static byte[] hi(byte[] password, byte[] salt, int iterations) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(password, "HmacSHA256"));
      mac.update(salt);
      byte[] u = mac.doFinal(new byte[] {0, 0, 0, 1});
      byte[] result = u.clone();
      for (int n = 1; n < iterations; n++) {
        u = mac.doFinal(u);
        for (int k = 0; k < result.length; k++) {
          result[k] ^= u[k];
        }
      }
      return result;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
