/**
 * aws-advanced-jdbc-wrapper 4.x: a connection plugin that takes its IAM tokens from iamauth4j,
 * registered through a wrapper configuration profile ({@link
 * io.github.iamauth4j.jdbc.awswrapper.IamAwsWrapper#registerProfile(String, java.util.List)}), so
 * it can be combined with the wrapper's failover, read/write splitting and monitoring plugins.
 */
@NullMarked
package io.github.iamauth4j.jdbc.awswrapper;

import org.jspecify.annotations.NullMarked;
