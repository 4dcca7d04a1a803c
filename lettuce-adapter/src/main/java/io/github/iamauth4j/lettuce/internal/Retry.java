package io.github.iamauth4j.lettuce.internal;

import io.lettuce.core.ConnectionFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * Connects once more when the server refused the IAM token of a connection attempt and the {@link
 * LettuceFallback} left the password for the next one: the app's {@code connect()} then succeeds on
 * the password instead of failing. At most one retry per call; without a fallback, or for any other
 * failure, the first failure is thrown as it is.
 */
final class Retry {
  private Retry() {}

  static <T> T connect(LettuceFallback fallback, String connection, Supplier<T> attempt) {
    try {
      return attempt.get();
    } catch (RuntimeException first) {
      if (!fallback.connectRefused(connection, first)) {
        throw first;
      }
      try {
        return attempt.get();
      } catch (RuntimeException second) {
        second.addSuppressed(first);
        throw second;
      }
    }
  }

  static <T> CompletableFuture<T> connectAsync(
      LettuceFallback fallback, String connection, Supplier<CompletableFuture<T>> attempt) {
    return attempt
        .get()
        .handle((c, e) -> retryIfRefused(fallback, connection, attempt, c, e))
        .thenCompose(s -> s);
  }

  static <T> ConnectionFuture<T> connectionFuture(
      LettuceFallback fallback, String connection, ConnectionAttempt<T> attempt) {
    return attempt
        .get()
        .thenCompose((c, e) -> retryIfRefused(fallback, connection, attempt::get, c, e));
  }

  /** A {@code connect…Async} that gives Lettuce's own future type. */
  @FunctionalInterface
  interface ConnectionAttempt<T> {
    ConnectionFuture<T> get();
  }

  private static <T> CompletionStage<T> retryIfRefused(
      LettuceFallback fallback,
      String connection,
      Supplier<? extends CompletionStage<T>> attempt,
      T connected,
      Throwable failure) {
    if (failure == null) {
      return CompletableFuture.completedFuture(connected);
    }
    Throwable cause = unwrap(failure);
    if (!fallback.connectRefused(connection, cause)) {
      return CompletableFuture.failedFuture(cause);
    }
    return attempt.get();
  }

  private static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
