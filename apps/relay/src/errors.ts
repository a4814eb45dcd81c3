/** Failures of the relay service; `code` is stable, `name` is the class name. */
export class RelayError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RelayError';
  }
}

/** A health check failed: `code` says which step (STUN_TIMEOUT, ALLOCATE_REFUSED, …). */
export class RelayCheckError extends RelayError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'RelayCheckError';
  }
}

/** A flag or file of `p2psip-relay serve` is wrong; the process exits with a usage error. */
export class RelayConfigError extends RelayError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'RelayConfigError';
  }
}
