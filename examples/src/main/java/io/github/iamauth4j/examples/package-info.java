/**
 * Runnable examples, one per adapter, each the few lines an app writes; and {@link
 * io.github.iamauth4j.examples.Tour}, which runs them against the testkit's IAM emulators in front
 * of real servers.
 */
@NullMarked
package io.github.iamauth4j.examples;

import org.jspecify.annotations.NullMarked;
