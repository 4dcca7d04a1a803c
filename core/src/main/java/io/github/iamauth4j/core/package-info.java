/**
 * The core of iamauth4j: IAM auth targets, the SigV4 token signer, the token generator, the shared
 * token cache ({@link io.github.iamauth4j.core.IamTokenProvider}), the renewal policy that keeps
 * connections under the server's 12-hour limit, and the events adapters report.
 *
 * <p>Start with {@link io.github.iamauth4j.core.IamTarget} and {@link
 * io.github.iamauth4j.core.IamTokenProvider#builder()}.
 */
@NullMarked
package io.github.iamauth4j.core;

import org.jspecify.annotations.NullMarked;
