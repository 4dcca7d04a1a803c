package io.github.iamauth4j.testkit.compat;

import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.RenewalPolicy;
import io.github.iamauth4j.testkit.tls.TlsMaterial;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * Everything an adapter needs to connect to the kit's emulator, given by the {@link
 * RedisAdapterCompatibilityKit} to {@link RedisAdapterCompatibilityKit#connect(ClientSettings)}.
 *
 * <p>Adapters build their client through their public entry point from {@link #config()} (the token
 * provider's configuration for {@link #target()}, signing with {@link #awsCredentials()}, whose
 * short-lived tokens let the kit exercise refreshes within seconds) and {@link #renewalPolicy()}
 * (compressed to the emulator's {@link #connectionLimit()}), trusting {@link #tls()}. Immutable.
 */
public final class ClientSettings {
  private final Topology topology;
  private final String host;
  private final int port;
  private final TlsMaterial tls;
  private final IamTarget target;
  private final String region;
  private final AwsCredentialsProvider awsCredentials;
  private final IamAuthConfig config;
  private final IamTokenProvider tokenProvider;
  private final RenewalPolicy renewalPolicy;
  private final Duration connectionLimit;
  private final boolean plaintextRequested;
  private final boolean plaintextAllowed;

  ClientSettings(
      Topology topology,
      String host,
      int port,
      TlsMaterial tls,
      IamTarget target,
      String region,
      AwsCredentialsProvider awsCredentials,
      IamAuthConfig config,
      IamTokenProvider tokenProvider,
      RenewalPolicy renewalPolicy,
      Duration connectionLimit,
      boolean plaintextRequested,
      boolean plaintextAllowed) {
    this.topology = topology;
    this.host = host;
    this.port = port;
    this.tls = tls;
    this.target = target;
    this.region = region;
    this.awsCredentials = awsCredentials;
    this.config = config;
    this.tokenProvider = tokenProvider;
    this.renewalPolicy = renewalPolicy;
    this.connectionLimit = connectionLimit;
    this.plaintextRequested = plaintextRequested;
    this.plaintextAllowed = plaintextAllowed;
  }

  /** Standalone or cluster: which client to build (e.g. Lettuce's {@code RedisClusterClient}). */
  public Topology topology() {
    return topology;
  }

  /** The host to connect to: the endpoint, or in cluster mode the seed node. */
  public String host() {
    return host;
  }

  /** The port to connect to. */
  public int port() {
    return port;
  }

  /** The emulator's TLS material: trust its CA ({@link TlsMaterial#trustStore()} and others). */
  public TlsMaterial tls() {
    return tls;
  }

  /** What the tokens authorise (the emulator's cache and the IAM user). */
  public IamTarget target() {
    return target;
  }

  /** The signing region. */
  public String region() {
    return region;
  }

  /**
   * The AWS credentials the tokens are signed with: the emulator's trusted ones, except when the
   * kit tests a wrong token. The kit may make them fail for a while (a credential outage).
   */
  public AwsCredentialsProvider awsCredentials() {
    return awsCredentials;
  }

  /**
   * The token provider's configuration, as an app would write it: {@link #target()}, {@link
   * #region()}, {@link #awsCredentials()}, with tokens compressed to seconds and the kit's listener
   * (so that the kit sees the adapter's events). Adapters build their client from this through
   * their public entry point, e.g. {@code IamLettuce.builder().config(settings.config())}.
   */
  public IamAuthConfig config() {
    return config;
  }

  /**
   * A ready token cache built from {@link #config()}, for an adapter's own tests of its parts; the
   * kit's tests connect through {@link #config()}. The kit closes it after each test.
   */
  public IamTokenProvider tokenProvider() {
    return tokenProvider;
  }

  /** The renewal policy, compressed to the emulator's connection limit. */
  public RenewalPolicy renewalPolicy() {
    return renewalPolicy;
  }

  /** The emulator's connection limit (12 hours on AWS, seconds here). */
  public Duration connectionLimit() {
    return connectionLimit;
  }

  /**
   * Whether to ask the client for a plaintext connection, the way an app would (e.g. a {@code
   * redis://} URI, or {@code ssl=false}). False: connect the adapter's default way, which must be
   * TLS.
   */
  public boolean plaintextRequested() {
    return plaintextRequested;
  }

  /**
   * Whether the adapter's explicit plaintext opt-out (e.g. {@code allowPlaintextForLocalTesting()})
   * is to be set. Without it a plaintext request must be refused with an error before anything is
   * sent.
   */
  public boolean plaintextAllowed() {
    return plaintextAllowed;
  }

  ClientSettings withEndpoint(String newHost, int newPort) {
    return new ClientSettings(
        topology,
        newHost,
        newPort,
        tls,
        target,
        region,
        awsCredentials,
        config,
        tokenProvider,
        renewalPolicy,
        connectionLimit,
        plaintextRequested,
        plaintextAllowed);
  }

  ClientSettings withPlaintext(boolean requested, boolean allowed) {
    return new ClientSettings(
        topology,
        host,
        port,
        tls,
        target,
        region,
        awsCredentials,
        config,
        tokenProvider,
        renewalPolicy,
        connectionLimit,
        requested,
        allowed);
  }

  ClientSettings withCredentials(
      AwsCredentialsProvider newCredentials,
      IamAuthConfig newConfig,
      IamTokenProvider newTokenProvider) {
    return new ClientSettings(
        topology,
        host,
        port,
        tls,
        target,
        region,
        newCredentials,
        newConfig,
        newTokenProvider,
        renewalPolicy,
        connectionLimit,
        plaintextRequested,
        plaintextAllowed);
  }

  ClientSettings withTarget(
      String newHost,
      int newPort,
      TlsMaterial newTls,
      IamTarget newTarget,
      IamAuthConfig newConfig,
      IamTokenProvider newTokenProvider) {
    return new ClientSettings(
        topology,
        newHost,
        newPort,
        newTls,
        newTarget,
        region,
        awsCredentials,
        newConfig,
        newTokenProvider,
        renewalPolicy,
        connectionLimit,
        plaintextRequested,
        plaintextAllowed);
  }

  @Override
  public String toString() {
    return "ClientSettings["
        + topology
        + " "
        + host
        + ":"
        + port
        + ", "
        + target.description()
        + ", region="
        + region
        + ", "
        + renewalPolicy
        + (plaintextRequested ? ", plaintext requested" : "")
        + (plaintextAllowed ? ", plaintext allowed" : "")
        + "]";
  }
}
