/**
 * HikariCP 7: {@link
 * io.github.iamauth4j.jdbc.hikari.IamHikari#configure(com.zaxxer.hikari.HikariConfig)} checks a
 * pool's TLS settings and installs a {@code HikariCredentialsProvider} that answers each new
 * connection with the current IAM token. For HikariCP 5 and 6, use {@link
 * io.github.iamauth4j.jdbc.IamDataSource} or a {@code jdbc:iamauth4j:} URL.
 */
@NullMarked
package io.github.iamauth4j.jdbc.hikari;

import org.jspecify.annotations.NullMarked;
