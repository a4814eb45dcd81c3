/** Base of the enrollment client's failures; `kind` for the CLI and RPC edges. */
export class EnrollmentClientError extends Error {
  constructor(
    readonly code: string,
    readonly kind: 'unavailable' | 'invalid-argument' | 'unauthenticated' | 'forbidden' | 'precondition',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The enrollment server refused with one of RFC 6940 §11.3's tokens. */
export class EnrollmentRefusedError extends EnrollmentClientError {
  constructor(readonly token: string) {
    super(
      `ENROLLMENT_REFUSED`,
      token === 'failed_authentication' ? 'unauthenticated' : 'forbidden',
      `enrollment refused: ${token}`,
    );
  }
}
