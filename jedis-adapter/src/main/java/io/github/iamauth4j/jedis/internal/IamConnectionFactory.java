package io.github.iamauth4j.jedis.internal;

import io.github.iamauth4j.core.ConnectionCredentials;
import io.github.iamauth4j.core.ConnectionRenewals;
import io.github.iamauth4j.core.PasswordFallbacks;
import io.github.iamauth4j.core.RefreshScheduler;
import io.github.iamauth4j.core.TokenUnavailableException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.PooledObjectFactory;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.DefaultJedisSocketFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The commons-pool2 factory of one node's pooled Jedis connections, in place of Jedis's own {@code
 * ConnectionFactory}: it makes {@link IamConnection}s and gives each the pool's safe moments to
 * re-authenticate when its own renewal is due: borrow ({@code activateObject}), return ({@code
 * passivateObject}) and the idle check of the pool's evictor ({@code validateObject}, with {@code
 * testWhileIdle}). Jedis's own factory sends {@code AUTH} at the same moments, but only after its
 * {@code AuthXManager} gave every connection new credentials on every token refresh. During a
 * migration from passwords, a connection opens with IAM first and, when the server refuses the
 * token, again with the fallback password ({@link #connect()}); {@link ConnectionAuth} chooses what
 * each re-authentication sends.
 */
public final class IamConnectionFactory implements PooledObjectFactory<Connection> {
  private static final AtomicLong SEQUENCE = new AtomicLong();

  private final HostAndPort node;
  private final JedisClientConfig config;
  private final ConnectionRenewals renewals;
  private final RefreshScheduler scheduler;

  /**
   * @param node the node the connections go to
   * @param config the client configuration, carrying the IAM credentials (TLS already checked)
   * @param renewals the renewals of the client's connections
   */
  public IamConnectionFactory(
      HostAndPort node, JedisClientConfig config, ConnectionRenewals renewals) {
    this.node = Objects.requireNonNull(node, "node");
    this.config = Objects.requireNonNull(config, "config");
    this.renewals = Objects.requireNonNull(renewals, "renewals");
    this.scheduler = renewals.tokens().scheduler();
  }

  ConnectionRenewals renewals() {
    return renewals;
  }

  RefreshScheduler scheduler() {
    return scheduler;
  }

  /** The node the connections go to. */
  public HostAndPort node() {
    return node;
  }

  /**
   * Opens and authenticates a connection (outside the pool, e.g. for a plain {@code Jedis}): with
   * IAM, or the fallback password when IAM cannot be used. When the server refuses the token
   * ({@code WRONGPASS}) and a fallback password is configured, the refusal is reported ({@link
   * PasswordFallbacks#refused}, which sets IAM aside for a while) and the connection is opened
   * again at once with the password, so that the caller gets a working connection. Jedis closes the
   * socket of a failed authentication, so the retry is a second socket inside the same call.
   *
   * @return the connection; its renewal runs until it is closed through its pool
   */
  public IamConnection connect() {
    String name = "Jedis connection #" + SEQUENCE.incrementAndGet() + " to " + node;
    IamCredentialsProvider attempt = new IamCredentialsProvider(renewals.tokens(), name);
    try {
      return open(name, attempt);
    } catch (JedisException e) {
      ConnectionCredentials tried = attempt.given();
      RuntimeException refusal = Refusals.wrongPass(e);
      if (tried == null || !tried.isIam() || refusal == null) {
        throw e;
      }
      ConnectionCredentials password;
      try {
        password = renewals.tokens().passwordFallbacks().refused(name, refusal);
      } catch (TokenUnavailableException u) {
        e.addSuppressed(u);
        throw e;
      }
      if (password == null) {
        throw e;
      }
      attempt.useNext(password);
      return open(name, attempt);
    }
  }

  private IamConnection open(String name, IamCredentialsProvider attempt) {
    JedisClientConfig own =
        DefaultJedisClientConfig.builder().from(config).credentialsProvider(attempt).build();
    return new IamConnection(new DefaultJedisSocketFactory(node, own), own, this, name, attempt);
  }

  @Override
  public PooledObject<Connection> makeObject() {
    return new DefaultPooledObject<>(connect());
  }

  @Override
  public void activateObject(PooledObject<Connection> p) {
    activate(p.getObject());
  }

  @Override
  public void passivateObject(PooledObject<Connection> p) {
    passivate(p.getObject());
  }

  @Override
  public boolean validateObject(PooledObject<Connection> p) {
    return validate(p.getObject());
  }

  @Override
  public void destroyObject(PooledObject<Connection> p) {
    destroy(p.getObject());
  }

  static void activate(Connection c) {
    if (c instanceof IamConnection iam) {
      iam.activated();
    }
  }

  static void passivate(Connection c) {
    if (c instanceof IamConnection iam) {
      iam.passivated();
    }
  }

  static boolean validate(Connection c) {
    try {
      if (!c.isConnected() || c.isBroken()) {
        return false;
      }
      if (c instanceof IamConnection iam) {
        iam.reauthenticateIfDue();
      }
      return c.ping();
    } catch (RuntimeException e) {
      return false;
    }
  }

  static void destroy(Connection c) {
    if (c instanceof IamConnection iam) {
      iam.destroyed();
    }
    try {
      c.disconnect();
    } catch (RuntimeException e) {
      // Closing anyway.
    }
  }

  @Override
  public String toString() {
    return "IamConnectionFactory[" + node + ", " + renewals + "]";
  }
}
