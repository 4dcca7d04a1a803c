/**
 * Local stand-ins for the AWS side of IAM authentication, in front of real servers: the
 * ElastiCache/MemoryDB emulator ({@code .redis}), the RDS emulators ({@code .rds}), the token
 * verifier they share ({@code .verify}), TLS material ({@code .tls}), real-server launchers ({@code
 * .server}) and the compatibility kit the Redis adapters run ({@code .compat}).
 */
@NullMarked
package io.github.iamauth4j.testkit;

import org.jspecify.annotations.NullMarked;
