package io.github.iamauth4j.jdbc.internal;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.ConnectionCredentials;
import io.github.iamauth4j.core.FallbackPassword;
import io.github.iamauth4j.core.IamAuthListener;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.PasswordFallbacks;
import io.github.iamauth4j.core.TokenUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leases on the core's shared token providers held for the ways in that have no owner to
 * release one (the {@code jdbc:iamauth4j:} driver, pgjdbc's authentication plugin, the
 * aws-advanced-jdbc-wrapper plugin): a bounded LRU of at most {@value #MAX_LEASES} leases, one per
 * (target, region, credentials, token life), so that every connection to the same endpoint as the
 * same user reuses the current token. An evicted lease is closed; so is the lease of a provider
 * that has no usable token to give, so that a provider nobody can use does not keep retrying in the
 * background (the next connection takes a new lease and tries again).
 */
public final class DriverLeases {
  /** At most this many leases are kept. */
  public static final int MAX_LEASES = 64;

  private static final Logger log = LoggerFactory.getLogger(DriverLeases.class);
  private static final List<IamAuthListener> LISTENERS = new CopyOnWriteArrayList<>();
  private static final IamAuthListener DISPATCH =
      event -> {
        for (IamAuthListener l : LISTENERS) {
          try {
            l.onEvent(event);
          } catch (RuntimeException e) {
            log.warn("an iamauth4j listener failed on {}; ignored", event.getClass(), e);
          }
        }
      };

  private static final Map<Key, TokenLease> LEASES =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, TokenLease> eldest) {
          if (size() > MAX_LEASES) {
            eldest.getValue().close();
            return true;
          }
          return false;
        }
      };

  /** What makes two connections share a provider. */
  private record Key(
      IamTarget target,
      @Nullable String region,
      @Nullable String profile,
      @Nullable String credentialsClass,
      @Nullable Duration expiry,
      @Nullable FallbackPassword fallback) {}

  private DriverLeases() {}

  /**
   * The current token for connections planned by {@code plan} under {@code settings}, from the
   * shared provider (leased, and its first token fetched, on first use).
   *
   * @param plan the connection plan
   * @param settings the iamauth4j settings read from the properties
   * @throws io.github.iamauth4j.core.IamAuthException if no token can be had, or the settings are
   *     invalid (named as the user wrote them)
   */
  public static AuthToken token(ConnectionPlan plan, PropertySettings settings) {
    return leased(plan, settings, p -> p.token());
  }

  /**
   * The credentials for one connection planned by {@code plan}: IAM first, or the fallback password
   * when the settings give one and IAM cannot be used ({@link PasswordFallbacks}).
   *
   * @param plan the connection plan
   * @param settings the iamauth4j settings read from the properties
   * @return the provider's fallbacks and the credentials to connect with
   * @throws io.github.iamauth4j.core.IamAuthException if neither can be had, or the settings are
   *     invalid
   */
  public static Leased credentials(ConnectionPlan plan, PropertySettings settings) {
    return leased(
        plan,
        settings,
        p -> new Leased(p.passwordFallbacks(), p.passwordFallbacks().credentials(plan.describe())));
  }

  /**
   * The credentials of one connection and where its fallbacks are counted.
   *
   * @param fallbacks the provider's fallbacks
   * @param credentials the credentials to connect with
   */
  public record Leased(PasswordFallbacks fallbacks, ConnectionCredentials credentials) {}

  private static <T> T leased(
      ConnectionPlan plan, PropertySettings settings, Function<IamTokenProvider, T> use) {
    IamTarget target = plan.target(null);
    Key key =
        new Key(
            target,
            settings.region(),
            settings.profile(),
            settings.credentialsClass(),
            settings.tokenExpiry(),
            settings.fallback());
    for (int attempt = 0; ; attempt++) {
      TokenLease lease = lease(key, plan, settings);
      try {
        return use.apply(lease.provider());
      } catch (TokenUnavailableException e) {
        // Nobody can use this provider now: let it go rather than let it retry for no one.
        release(key, lease);
        throw e;
      } catch (IllegalStateException closed) {
        // Evicted and closed between lookup and use: look it up again, once.
        if (attempt > 0) {
          throw closed;
        }
      }
    }
  }

  private static TokenLease lease(Key key, ConnectionPlan plan, PropertySettings settings) {
    synchronized (LEASES) {
      TokenLease l = LEASES.get(key);
      if (l != null) {
        return l;
      }
    }
    // Built outside the lock: resolving the region or a profile can block for seconds (the SDK's
    // chains), and connections to other endpoints must not wait on that.
    TokenLease made = TokenLease.acquire(plan.authConfig(null, settings.auth(List.of(DISPATCH))));
    TokenLease winner;
    synchronized (LEASES) {
      winner = LEASES.get(key);
      if (winner == null) {
        LEASES.put(key, made);
        winner = made;
      }
    }
    if (winner != made) {
      // Another connection leased first; give this one back.
      made.close();
      return winner;
    }
    log.debug("leased shared token provider {}", made.provider());
    made.provider().prefetch();
    return made;
  }

  private static void release(Key key, TokenLease lease) {
    synchronized (LEASES) {
      if (LEASES.get(key) == lease) {
        LEASES.remove(key);
      }
    }
    lease.close();
  }

  /**
   * Adds a listener for the events of every provider leased here, present and future.
   *
   * @param listener the listener
   */
  public static void addListener(IamAuthListener listener) {
    LISTENERS.add(listener);
  }

  /**
   * Removes a listener added with {@link #addListener(IamAuthListener)}.
   *
   * @param listener the listener
   */
  public static void removeListener(IamAuthListener listener) {
    LISTENERS.remove(listener);
  }

  /** The number of leases held now. */
  public static int size() {
    synchronized (LEASES) {
      return LEASES.size();
    }
  }

  /** Closes every lease held here (the next connection takes a new one). */
  public static void closeAll() {
    List<TokenLease> all;
    synchronized (LEASES) {
      all = new ArrayList<>(LEASES.values());
      LEASES.clear();
    }
    all.forEach(TokenLease::close);
  }
}
