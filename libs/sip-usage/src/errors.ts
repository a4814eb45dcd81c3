/** Base of every SIP-usage failure: a stable `code` for callers and mappers, the cause kept. */
export class SipUsageError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bytes that are not a SipRegistration (RFC 7904 §3.2): truncated, overlong, bad lengths or UTF-8. */
export class MalformedSipRegistrationError extends SipUsageError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MALFORMED_SIP_REGISTRATION', message, options);
  }
}

/** A value that cannot be encoded: empty destination list, a field past its length prefix, bad ids. */
export class InvalidSipRegistrationError extends SipUsageError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_SIP_REGISTRATION', message, options);
  }
}
