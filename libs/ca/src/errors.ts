/**
 * Base of the CA's failures. `kind` classifies them for the gRPC/HTTP edges (see libs/rpc);
 * `enrollmentToken` is the RFC 6940 §11.3 failure token where one applies.
 */
export class CaError extends Error {
  readonly code: string;
  readonly kind:
    | 'invalid-argument'
    | 'unauthenticated'
    | 'forbidden'
    | 'not-found'
    | 'conflict'
    | 'exhausted'
    | 'precondition';

  constructor(code: string, kind: CaError['kind'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.kind = kind;
  }
}

export class UserExistsError extends CaError {
  constructor(userName: string) {
    super('USER_EXISTS', 'conflict', `user ${userName} already exists`);
  }
}

export class UserNotFoundError extends CaError {
  constructor(userName: string) {
    super('USER_NOT_FOUND', 'not-found', `no user ${userName}`);
  }
}

export class NodeIdTakenError extends CaError {
  constructor(nodeId: string) {
    super('NODE_ID_TAKEN', 'conflict', `Node-ID ${nodeId} belongs to another user`);
  }
}

export class SerialTakenError extends CaError {
  constructor(serialNumber: string) {
    super('SERIAL_TAKEN', 'conflict', `serial ${serialNumber} was already issued`);
  }
}

export class CertificateNotFoundError extends CaError {
  constructor(what: string) {
    super('CERTIFICATE_NOT_FOUND', 'not-found', `no certificate ${what}`);
  }
}

/** RFC 6940 §11.3's 403 tokens, sent verbatim as the HTTP body and as the gRPC status details. */
export type EnrollmentFailureToken =
  'failed_authentication' | 'username_not_available' | 'Node-IDs_not_available' | 'bad_CSR';

const KIND_BY_TOKEN: Record<EnrollmentFailureToken, CaError['kind']> = {
  failed_authentication: 'unauthenticated',
  username_not_available: 'conflict',
  'Node-IDs_not_available': 'exhausted',
  bad_CSR: 'invalid-argument',
};

/**
 * An enrollment refused for one of RFC 6940's reasons. The message is exactly the token, so every
 * edge can send it as is; `detail` says more for the server's log only (never to the client:
 * telling an attacker which check failed helps them).
 */
export class EnrollmentFailureError extends CaError {
  readonly token: EnrollmentFailureToken;
  readonly detail: string;

  constructor(token: EnrollmentFailureToken, detail: string, options?: { cause?: unknown }) {
    super(`ENROLLMENT_${token.toUpperCase().replace(/-/g, '_')}`, KIND_BY_TOKEN[token], token, options);
    this.token = token;
    this.detail = detail;
  }
}

/** An admin request the CA cannot carry out as asked (bad user name, bad password policy). */
export class InvalidRequestError extends CaError {
  constructor(message: string) {
    super('INVALID_REQUEST', 'invalid-argument', message);
  }
}
