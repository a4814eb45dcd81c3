import { status } from '@grpc/grpc-js';

/**
 * Protocol-neutral failure classes. Domain errors in any lib may carry one as `kind` (and a
 * stable UPPER_SNAKE `code`); the mapping below turns it into a gRPC status, and the HTTP and SIP
 * edges map the same kinds to their own responses. Libs declare the field structurally, so a
 * domain lib needs no import from this adapter lib.
 */
export type ErrorKind =
  | 'invalid-argument'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'precondition'
  | 'exhausted'
  | 'timeout'
  | 'unavailable'
  | 'cancelled';

/** Raised by handlers (or by this lib) when the failure is about the RPC itself. */
export class RpcError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly reloadErrorCode: number | undefined;

  constructor(
    kind: ErrorKind,
    code: string,
    message: string,
    options?: { cause?: unknown; reloadErrorCode?: number },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.kind = kind;
    this.code = code;
    this.reloadErrorCode = options?.reloadErrorCode;
  }
}

/**
 * What a client sees when a call fails: the gRPC status, plus the server's domain code and RELOAD
 * error code when the server sent them (trailing metadata, see status-mapping.ts).
 */
export class RpcCallError extends Error {
  /** The server's stable error code, or `GRPC_<STATUS>` when it sent none. */
  readonly code: string;
  readonly grpcStatus: status;
  readonly reloadErrorCode: number | undefined;
  /** The method that failed, e.g. `/p2psip.diagnostics.v1.DiagnosticsService/Ping`. */
  readonly method: string;

  constructor(init: {
    code: string;
    grpcStatus: status;
    message: string;
    method: string;
    reloadErrorCode?: number;
    cause?: unknown;
  }) {
    super(init.message, { cause: init.cause });
    this.name = new.target.name;
    this.code = init.code;
    this.grpcStatus = init.grpcStatus;
    this.method = init.method;
    this.reloadErrorCode = init.reloadErrorCode;
  }
}

/** TLS material could not be read or does not fit together. */
export class TlsConfigurationError extends Error {
  readonly code = 'TLS_CONFIGURATION';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
