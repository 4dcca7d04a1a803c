/**
 * The {@code iamauth4j} command: {@code iamauth4j token …} mints an IAM auth token for ElastiCache,
 * MemoryDB, RDS or Aurora DSQL and prints only the token, for use as a password on a command line;
 * {@code iamauth4j inspect …} shows what a token was signed for without revealing secret material.
 * The entry point is {@link io.github.iamauth4j.cli.Main}.
 */
@NullMarked
package io.github.iamauth4j.cli;

import org.jspecify.annotations.NullMarked;
