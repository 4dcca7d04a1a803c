package io.github.iamauth4j.core;

/**
 * The connection settings would let an IAM token travel without verified TLS, so no token was
 * handed out. A token is a bearer secret sent as a password: only TLS with the server's identity
 * checked protects it. {@link #setting()} names the client setting to fix (e.g. {@code rediss://},
 * {@code sslmode}); the message says which values are accepted and names the adapter's explicit
 * opt-out for local test servers ({@code allowPlaintextForLocalTesting()}). Thrown by every adapter
 * through {@link TlsRule}.
 */
public class InsecureConnectionException extends IamConfigurationException {
  private static final long serialVersionUID = 1L;

  private final String setting;

  /**
   * @param setting the client setting to fix
   * @param problem the problem, starting with the setting's name
   */
  public InsecureConnectionException(String setting, String problem) {
    super(problem);
    this.setting = setting;
  }

  /** The client setting to fix, e.g. {@code sslmode} or {@code RedisURI.ssl}. */
  public String setting() {
    return setting;
  }
}
