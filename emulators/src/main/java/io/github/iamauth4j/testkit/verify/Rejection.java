package io.github.iamauth4j.testkit.verify;

/** Why a token was refused. The emulators count rejections by reason. */
public enum Rejection {
  /** Not a SigV4 presigned token at all. */
  MALFORMED,
  /** Signed by an access key the emulator does not trust. */
  UNKNOWN_ACCESS_KEY,
  /** The signature is not the one the trusted secret makes. */
  BAD_SIGNATURE,
  /** Signed headers other than {@code host}. */
  WRONG_SIGNED_HEADERS,
  /** Signed for another service ({@code elasticache}, {@code memorydb}, {@code rds-db}, …). */
  WRONG_SERVICE,
  /** Signed for another region. */
  WRONG_REGION,
  /** Signed for another cache, cluster or endpoint. */
  WRONG_HOST,
  /** Signed with another {@code Action}. */
  WRONG_ACTION,
  /** Signed for another user than the one presented. */
  WRONG_USER,
  /**
   * {@code ResourceType=ServerlessCache} present for a replication group, or absent for a
   * serverless cache.
   */
  RESOURCE_TYPE_MISMATCH,
  /** The session token is missing, unexpected or not the trusted one. */
  SESSION_TOKEN_MISMATCH,
  /** The temporary credentials that signed it have expired. */
  CREDENTIALS_EXPIRED,
  /** {@code X-Amz-Expires} is longer than the service allows. */
  EXPIRY_TOO_LONG,
  /** Its expiry has passed. */
  EXPIRED,
  /** Signed in the future, beyond the allowed clock skew. */
  NOT_YET_VALID,
  /**
   * A valid token for a user the emulated user group does not hold (never added, or removed), or
   * that may no longer log in with IAM (RDS: IAM revoked).
   */
  UNKNOWN_USER
}
