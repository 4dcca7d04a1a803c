/**
 * The Redis adapter compatibility kit: {@link
 * io.github.iamauth4j.testkit.compat.RedisAdapterCompatibilityKit}, an abstract JUnit 5 test class
 * that every Redis adapter extends with a few lines, so that all adapters prove the same behaviour
 * the same way against the ElastiCache emulator in front of a real Redis (standalone or cluster).
 */
@NullMarked
package io.github.iamauth4j.testkit.compat;

import org.jspecify.annotations.NullMarked;
