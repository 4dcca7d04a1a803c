/**
 * JMH benchmarks of the SigV4 presigner and the token cache, against the AWS SDK's signers and the
 * irreducible crypto cost. Not published; see {@code benchmarks/README.md}.
 */
@org.jspecify.annotations.NullMarked
package io.github.iamauth4j.benchmarks;
