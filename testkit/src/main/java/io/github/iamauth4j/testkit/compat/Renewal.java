package io.github.iamauth4j.testkit.compat;

/**
 * How an adapter keeps its connections under the server's connection limit (see {@link
 * io.github.iamauth4j.core.RenewalPolicy}): a capability the adapter declares to the kit.
 */
public enum Renewal {
  /**
   * The client re-authenticates live connections ({@code AUTH} with a fresh token on the open
   * connection): under load the emulator must see re-authentications and close nothing at the
   * limit.
   */
  REAUTHENTICATE,
  /**
   * The client cannot re-authenticate, so the adapter retires connections before the limit and
   * opens new ones: under load the emulator must see new connections and close nothing at the
   * limit.
   */
  RETIRE
}
