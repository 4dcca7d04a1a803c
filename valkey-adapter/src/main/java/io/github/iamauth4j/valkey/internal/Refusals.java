package io.github.iamauth4j.valkey.internal;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Tells the server's refusal of credentials ({@code WRONGPASS invalid username-password pair or
 * user is disabled.}, valkey-java's {@code JedisAccessControlException}) from other failures,
 * wherever it sits in what valkey-java throws: itself, a cause, or a suppressed exception (a
 * cluster's topology discovery keeps the first failure as suppressed). {@code NOPERM}, an
 * access-control error too, is not a refusal of the credentials.
 */
public final class Refusals {
  private static final String WRONGPASS = "WRONGPASS";

  private Refusals() {}

  /**
   * The refusal in {@code failure}, or null when it holds none.
   *
   * @param failure what connecting or {@code AUTH} threw
   */
  public static @Nullable RuntimeException wrongPass(Throwable failure) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    ArrayDeque<Throwable> next = new ArrayDeque<>();
    next.add(failure);
    while (!next.isEmpty() && seen.size() < 32) {
      Throwable t = next.poll();
      if (!seen.add(t)) {
        continue;
      }
      String m = t.getMessage();
      if (t instanceof RuntimeException r && m != null && m.startsWith(WRONGPASS)) {
        return r;
      }
      if (t.getCause() != null) {
        next.add(t.getCause());
      }
      Collections.addAll(next, t.getSuppressed());
    }
    return null;
  }
}
