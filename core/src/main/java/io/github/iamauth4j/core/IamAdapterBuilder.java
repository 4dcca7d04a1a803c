package io.github.iamauth4j.core;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * What every adapter's builder has in common, so that each adapter only adds what is its client's
 * own: the token provider's configuration ({@link #config(IamAuthConfig)}, or its settings through
 * the shortcuts {@link #target(IamTarget)}, {@link #region(String)}, …), or a ready {@link
 * #tokenProvider(IamTokenProvider)}; the {@link #renewalPolicy(RenewalPolicy)}; the certificates to
 * trust; and the loud plaintext opt-out. An adapter builder extends it with its own type:
 *
 * <pre>{@code
 * public static final class Builder extends IamAdapterBuilder<Builder> {
 *   public IamJedis build() {
 *     List<String> problems = new ArrayList<>();
 *     Tokens tokens = tokens(problems, "IamJedis", REDIS_KINDS);
 *     ...
 *   }
 * }
 * }</pre>
 *
 * @param <B> the adapter's builder type
 */
public abstract class IamAdapterBuilder<B extends IamAdapterBuilder<B>> {
  /** The target kinds a Redis or Valkey adapter accepts. */
  public static final Set<IamTarget.Kind> REDIS_KINDS =
      Set.of(
          IamTarget.Kind.ELASTICACHE,
          IamTarget.Kind.ELASTICACHE_SERVERLESS,
          IamTarget.Kind.MEMORYDB);

  private IamAuthConfig.@Nullable Builder config;
  private @Nullable IamTokenProvider tokenProvider;
  private RenewalPolicy renewalPolicy = RenewalPolicy.defaults();
  private @Nullable KeyStore trustStore;
  private boolean plaintextAllowed;

  /** For subclasses. */
  protected IamAdapterBuilder() {}

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  private IamAuthConfig.Builder configBuilder() {
    IamAuthConfig.Builder c = config;
    if (c == null) {
      c = IamAuthConfig.builder();
      config = c;
    }
    return c;
  }

  /**
   * The token provider's configuration (target, region, credentials, timeouts, listeners). Replaces
   * what the shortcuts set before; the shortcuts called after it change it.
   *
   * @param config the configuration
   * @return this builder
   */
  public B config(IamAuthConfig config) {
    this.config = config.toBuilder();
    return self();
  }

  /**
   * What the tokens authorise, e.g. {@code IamTarget.elastiCache("orders", "app")}: a shortcut for
   * {@link IamAuthConfig.Builder#target(IamTarget)}.
   *
   * @param target the target
   * @return this builder
   */
  public B target(IamTarget target) {
    configBuilder().target(target);
    return self();
  }

  /**
   * A shortcut for {@link IamAuthConfig.Builder#region(String)}.
   *
   * @param region the region, e.g. {@code us-east-1}
   * @return this builder
   */
  public B region(String region) {
    configBuilder().region(region);
    return self();
  }

  /**
   * A shortcut for {@link IamAuthConfig.Builder#endpoint(String)}: the region from an AWS host
   * name.
   *
   * @param endpointHost the host the client connects to
   * @return this builder
   */
  public B endpoint(String endpointHost) {
    configBuilder().endpoint(endpointHost);
    return self();
  }

  /**
   * A shortcut for {@link IamAuthConfig.Builder#credentialsProvider(AwsCredentialsProvider)}.
   *
   * @param provider the AWS credentials that sign the tokens
   * @return this builder
   */
  public B credentialsProvider(AwsCredentialsProvider provider) {
    configBuilder().credentialsProvider(provider);
    return self();
  }

  /**
   * A shortcut for {@link IamAuthConfig.Builder#clock(Clock)}.
   *
   * @param clock the clock
   * @return this builder
   */
  public B clock(Clock clock) {
    configBuilder().clock(clock);
    return self();
  }

  /**
   * A shortcut for {@link IamAuthConfig.Builder#listener(IamAuthListener)}.
   *
   * @param listener receives token and connection events
   * @return this builder
   */
  public B listener(IamAuthListener listener) {
    configBuilder().listener(listener);
    return self();
  }

  /**
   * A shortcut for {@link IamAuthConfig.Builder#firstTokenTimeout(Duration)}.
   *
   * @param timeout how long a connection waits for the very first token
   * @return this builder
   */
  public B firstTokenTimeout(Duration timeout) {
    configBuilder().firstTokenTimeout(timeout);
    return self();
  }

  /**
   * A shortcut for {@link IamAuthConfig.Builder#passwordFallback(FallbackPassword)}: during a
   * migration from passwords, connections that cannot use IAM authenticate with this password
   * instead of failing (each fallback logged and counted).
   *
   * @param fallback the password user and where its password is
   * @return this builder
   */
  public B passwordFallback(FallbackPassword fallback) {
    configBuilder().passwordFallback(Objects.requireNonNull(fallback, "passwordFallback"));
    return self();
  }

  /**
   * A ready token provider, e.g. one shared with other clients. Not combinable with a
   * configuration; the adapter does not close it.
   *
   * @param provider the token provider
   * @return this builder
   */
  public B tokenProvider(IamTokenProvider provider) {
    this.tokenProvider = Objects.requireNonNull(provider, "tokenProvider");
    return self();
  }

  /**
   * How connections stay under the server's limit. Default {@link RenewalPolicy#defaults()}.
   *
   * @param policy the policy
   * @return this builder
   */
  public B renewalPolicy(RenewalPolicy policy) {
    this.renewalPolicy = Objects.requireNonNull(policy, "renewalPolicy");
    return self();
  }

  /**
   * Certificates to trust for TLS when the server's are not signed by a CA the JVM trusts (a
   * private CA, a local emulator). Default: the JVM's trust store.
   *
   * @param trustStore the trusted certificates
   * @return this builder
   */
  public B trustStore(KeyStore trustStore) {
    this.trustStore = Objects.requireNonNull(trustStore, "trustStore");
    return self();
  }

  /**
   * Allows connecting without TLS, or without verifying the server, for a local server in
   * development and tests only: the token is a bearer secret and goes out in clear (see {@link
   * TlsRule}). ElastiCache, MemoryDB and RDS refuse IAM authentication without TLS anyway.
   *
   * @return this builder
   */
  public B allowPlaintextForLocalTesting() {
    this.plaintextAllowed = true;
    return self();
  }

  /** The renewal policy set, or the default. */
  protected final RenewalPolicy renewalPolicy() {
    return renewalPolicy;
  }

  /** The trust store set, or null for the JVM's. */
  protected final @Nullable KeyStore trustStore() {
    return trustStore;
  }

  /** Whether the plaintext opt-out was called. */
  protected final boolean plaintextAllowed() {
    return plaintextAllowed;
  }

  /** Whether a ready token provider was given (rather than a configuration). */
  protected final boolean hasTokenProvider() {
    return tokenProvider != null;
  }

  /**
   * Applies an adapter's own default to the configuration, when one is being built (not when a
   * ready token provider was given), e.g. its scheduler.
   *
   * @param edit the change
   */
  protected final void editConfig(Consumer<IamAuthConfig.Builder> edit) {
    if (tokenProvider == null && config != null) {
      edit.accept(config);
    }
  }

  /**
   * A {@link TrustManagerFactory} over {@link #trustStore()}, or null when none was set; a store
   * that cannot be used adds a problem.
   *
   * @param problems where problems are added
   * @return the factory, or null
   */
  protected final @Nullable TrustManagerFactory trustManagerFactory(List<String> problems) {
    KeyStore store = trustStore;
    if (store == null) {
      return null;
    }
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      return tmf;
    } catch (GeneralSecurityException e) {
      problems.add("trustStore: unusable (" + e.getClass().getSimpleName() + ")");
      return null;
    }
  }

  /**
   * An {@link SSLContext} trusting {@link #trustStore()}, or null when none was set; a store that
   * cannot be used adds a problem.
   *
   * @param problems where problems are added
   * @return the context, or null
   */
  protected final @Nullable SSLContext sslContext(List<String> problems) {
    TrustManagerFactory tmf = trustManagerFactory(problems);
    if (tmf == null) {
      return null;
    }
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      problems.add("trustStore: unusable (" + e.getClass().getSimpleName() + ")");
      return null;
    }
  }

  /**
   * The token provider the adapter uses: the one given, or the JVM's shared one for the
   * configuration (a lease the adapter gives back on close). Adds a problem when neither or both
   * were given, the configuration is invalid, or the target is not of an accepted kind; returns
   * null then (the caller throws with all problems).
   *
   * @param problems where problems are added
   * @param adapter the adapter's name, for messages, e.g. {@code "IamJedis"}
   * @param kinds the target kinds the adapter accepts
   * @return the provider and its lease, or null if there were problems
   */
  protected final @Nullable Tokens tokens(
      List<String> problems, String adapter, Set<IamTarget.Kind> kinds) {
    if (tokenProvider != null && config != null) {
      problems.add(
          "tokenProvider: given together with a configuration (config, target, region, endpoint,"
              + " credentialsProvider, clock, listener, firstTokenTimeout) (expected one or the"
              + " other: the provider carries its own configuration)");
      try {
        configBuilder().build(); // only to report its own problems too
      } catch (IamConfigurationException e) {
        problems.addAll(e.problems());
      }
      return null;
    }
    IamTokenProvider given = tokenProvider;
    if (given != null) {
      return checkKind(problems, adapter, kinds, given.target()) ? new Tokens(given, null) : null;
    }
    if (config == null) {
      problems.add(
          "target: is required (expected "
              + adapter
              + ".builder().target(IamTarget.elastiCache(\"orders\", \"app\")), a config(...) or a"
              + " tokenProvider(...))");
      return null;
    }
    IamAuthConfig built;
    try {
      built = configBuilder().build();
    } catch (IamConfigurationException e) {
      problems.addAll(e.problems());
      return null;
    }
    if (!checkKind(problems, adapter, kinds, built.target())) {
      return null;
    }
    if (!problems.isEmpty()) {
      return null;
    }
    IamTokenProvider.Lease lease = IamTokenProvider.shared(built);
    return new Tokens(lease.provider(), lease);
  }

  private static boolean checkKind(
      List<String> problems, String adapter, Set<IamTarget.Kind> kinds, IamTarget target) {
    if (kinds.contains(target.kind())) {
      return true;
    }
    problems.add(
        "target: "
            + target.description()
            + " is not something "
            + adapter
            + " connects to (expected one of "
            + kinds.stream().map(IamTarget.Kind::label).sorted().toList()
            + ")");
    return false;
  }

  /**
   * The token provider an adapter uses, and the lease to give back when the adapter closes (null
   * when the app gave the provider).
   *
   * @param provider the provider
   * @param lease the lease on a shared provider, or null
   */
  public record Tokens(IamTokenProvider provider, IamTokenProvider.@Nullable Lease lease)
      implements AutoCloseable {
    /** Gives the lease back, if any; a provider the app gave is left open. */
    @Override
    public void close() {
      if (lease != null) {
        lease.close();
      }
    }
  }
}
