package io.github.iamauth4j.jdbc.internal;

import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamTokenProvider;

/**
 * A lease on the JVM's shared token provider for a configuration ({@link
 * IamTokenProvider#shared(IamAuthConfig)}); the core attaches the configuration's listeners to the
 * provider for as long as a lease names them, even when the provider was made from another
 * configuration with the same token source.
 */
public final class TokenLease implements AutoCloseable {
  private final IamTokenProvider.Lease lease;

  private TokenLease(IamTokenProvider.Lease lease) {
    this.lease = lease;
  }

  /**
   * Takes a lease on the shared provider for {@code config}.
   *
   * @param config the configuration (with its target)
   */
  public static TokenLease acquire(IamAuthConfig config) {
    return new TokenLease(IamTokenProvider.shared(config));
  }

  /** The shared provider; valid until this lease is closed. */
  public IamTokenProvider provider() {
    return lease.provider();
  }

  /** Gives the lease back (the last one closes the provider). Idempotent. */
  @Override
  public void close() {
    lease.close();
  }

  @Override
  public String toString() {
    return "TokenLease[" + lease.provider() + "]";
  }
}
