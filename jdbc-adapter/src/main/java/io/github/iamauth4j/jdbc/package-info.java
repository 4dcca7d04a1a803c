/**
 * IAM database authentication for JDBC: RDS, Aurora, RDS Proxy and Aurora DSQL, with pgjdbc, MySQL
 * Connector/J and MariaDB Connector/J. Ways in: the {@code jdbc:iamauth4j:} URL driver ({@link
 * io.github.iamauth4j.jdbc.IamDriver}), a {@code DataSource} for any pool or framework ({@link
 * io.github.iamauth4j.jdbc.IamDataSource}), HikariCP 7's credentials provider ({@code
 * io.github.iamauth4j.jdbc.hikari}), pgjdbc's authentication plugin ({@code
 * io.github.iamauth4j.jdbc.pgjdbc}) and an aws-advanced-jdbc-wrapper plugin ({@code
 * io.github.iamauth4j.jdbc.awswrapper}). Each checks the driver's TLS settings before a token is
 * sent.
 */
@NullMarked
package io.github.iamauth4j.jdbc;

import org.jspecify.annotations.NullMarked;
