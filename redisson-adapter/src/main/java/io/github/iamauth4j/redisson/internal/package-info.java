/**
 * Not API: the Netty handlers the Redisson adapter puts in each Redisson channel, and the checks of
 * a Redisson {@code Config}. May change in any release.
 */
@NullMarked
package io.github.iamauth4j.redisson.internal;

import org.jspecify.annotations.NullMarked;
