/** Base of every SIP failure: a stable `code` for callers and mappers, the cause kept. */
export class SipError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Bytes or text that are not valid SIP. `reason` is short and stable ('bad start line',
 * 'missing Call-ID') so that a UAS can put it in a 400 reason phrase or a log without leaking input.
 */
export class SipParseError extends SipError {
  readonly reason: string;

  constructor(reason: string, options?: { cause?: unknown }) {
    super('SIP_PARSE_ERROR', reason, options);
    this.reason = reason;
  }
}

/**
 * A message or header built by our own code that cannot be sent: a header name that is not a token,
 * a value with CR/LF (header injection), a status outside 100–699. A programming error, not input.
 */
export class InvalidSipMessageError extends SipError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_SIP_MESSAGE', message, options);
  }
}
