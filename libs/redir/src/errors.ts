/** Base of every ReDiR failure: a stable `code` for callers and mappers, the cause kept. */
export class RedirError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bytes that are not a RedirServiceProvider (RFC 7374 §5): truncated, overlong, bad lengths or UTF-8. */
export class MalformedRedirRecordError extends RedirError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MALFORMED_REDIR_RECORD', message, options);
  }
}

/** A record that cannot be encoded: no destination, an empty namespace, a field past its bounds. */
export class InvalidRedirRecordError extends RedirError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_REDIR_RECORD', message, options);
  }
}

/** A tree setting or coordinate out of range: branching factor, level, node index, lifetime. */
export class InvalidRedirSettingsError extends RedirError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_REDIR_SETTINGS', message, options);
  }
}
