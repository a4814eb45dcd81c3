/** Base of every identity failure: a stable `code` for callers and mappers, the cause kept. */
export class IdentityError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A Node-ID, Resource-ID or other ring identifier that is not 128 bits of valid hex/bytes. */
export class InvalidIdError extends IdentityError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_ID', message, options);
  }
}

/** A resource name or SIP AOR that cannot be normalised (empty user or host, bad escapes). */
export class InvalidResourceNameError extends IdentityError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_RESOURCE_NAME', message, options);
  }
}

/** DER/PEM that does not parse as an X.509 certificate, or one that breaks the overlay's format. */
export class InvalidCertificateError extends IdentityError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_CERTIFICATE', message, options);
  }
}

/** A PKCS#10 request that does not parse, is not self-signed correctly, or uses a refused key. */
export class InvalidCsrError extends IdentityError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BAD_CSR', message, options);
  }
}

/** A `reload://` URI that does not follow RFC 6940 §14.15 (as narrowed by our design). */
export class InvalidReloadUriError extends IdentityError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_RELOAD_URI', message, options);
  }
}

/** A PEM private key that cannot be imported, or one of a type the overlay does not use. */
export class InvalidKeyError extends IdentityError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_KEY', message, options);
  }
}
