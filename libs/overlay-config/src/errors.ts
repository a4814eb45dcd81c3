/**
 * Protocol-neutral failure class, declared structurally (same strings as `ErrorKind` in libs/rpc)
 * so the edge mappers can turn these errors into gRPC/HTTP/SIP responses without this domain lib
 * importing an adapter.
 */
type ErrorKind = 'invalid-argument' | 'forbidden' | 'precondition';

/** Base of every failure of this lib: a stable UPPER_SNAKE `code`, a `kind`, the cause kept. */
export class OverlayConfigError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly kind: ErrorKind;

  constructor(code: Code, kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.kind = kind;
  }
}

/** One reason a configuration object is not acceptable; `field` names the model property. */
export interface ConfigurationProblem {
  readonly field: string;
  readonly message: string;
}

/** A configuration object breaks the model's rules; every problem found is listed, not just the first. */
export class InvalidConfigurationError extends OverlayConfigError<'INVALID_CONFIGURATION'> {
  readonly problems: readonly ConfigurationProblem[];

  constructor(problems: readonly ConfigurationProblem[]) {
    const list = problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ');
    super('INVALID_CONFIGURATION', 'invalid-argument', `invalid overlay configuration: ${list}`);
    this.problems = problems;
  }
}

/** `MALFORMED_…` when decoding bytes from the wire, `INVALID_…` when asked to encode impossible values. */
export type SecurityBlockErrorCode = 'MALFORMED_SECURITY_BLOCK' | 'INVALID_SECURITY_BLOCK';

/** A RELOAD SecurityBlock (RFC 6940 §6.3.4) that cannot be decoded or encoded. */
export class SecurityBlockError extends OverlayConfigError<SecurityBlockErrorCode> {
  constructor(code: SecurityBlockErrorCode, message: string) {
    super(code, 'invalid-argument', message);
  }
}

export type ConfigurationDocumentErrorCode =
  /** Not well-formed XML, not UTF-8, a DOCTYPE, an undefined entity, an unbound prefix. */
  | 'MALFORMED_XML'
  /** A required element or attribute is absent. */
  | 'MISSING_ELEMENT'
  /** A value of the wrong type or out of range, a repeated singleton, a broken base64 signature. */
  | 'INVALID_VALUE'
  /** An element this implementation does not know, in a namespace it owns (base, chord, p2psip). */
  | 'UNKNOWN_ELEMENT'
  /** Valid RFC 6940, but not something this platform runs (another topology, self-signed mode…). */
  | 'UNSUPPORTED_FEATURE'
  /** A `mandatory-extension` namespace this implementation does not understand. */
  | 'UNSUPPORTED_EXTENSION';

/** An overlay configuration document (application/p2p-overlay+xml) that cannot be read. */
export class ConfigurationDocumentError extends OverlayConfigError<ConfigurationDocumentErrorCode> {
  constructor(code: ConfigurationDocumentErrorCode, message: string, options?: { cause?: unknown }) {
    // "Unsupported" documents are fine; this node just cannot take part in that overlay.
    super(code, code.startsWith('UNSUPPORTED') ? 'precondition' : 'invalid-argument', message, options);
  }
}

export type ConfigurationSigningErrorCode =
  /** The certificate or private key cannot be read, or is of a type the overlay does not sign with. */
  | 'INVALID_SIGNER'
  /** The private key does not belong to the certificate. */
  | 'KEY_MISMATCH'
  /** The configuration has kinds, and none of the signer's Node-IDs is a listed kind-signer. */
  | 'SIGNER_NOT_KIND_SIGNER';

/** The configuration cannot be signed with the given signer. */
export class ConfigurationSigningError extends OverlayConfigError<ConfigurationSigningErrorCode> {
  constructor(code: ConfigurationSigningErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, 'invalid-argument', message, options);
  }
}

export type ConfigurationVerificationErrorCode =
  | 'BAD_SIGNATURE'
  | 'UNTRUSTED_SIGNER'
  | 'WRONG_OVERLAY'
  | 'EXPIRED'
  | 'SEQUENCE_NOT_NEWER'
  | 'BAD_KIND_SIGNATURE';

const VERIFICATION_KINDS: Record<ConfigurationVerificationErrorCode, ErrorKind> = {
  BAD_SIGNATURE: 'forbidden',
  UNTRUSTED_SIGNER: 'forbidden',
  WRONG_OVERLAY: 'invalid-argument',
  EXPIRED: 'precondition',
  SEQUENCE_NOT_NEWER: 'precondition',
  BAD_KIND_SIGNATURE: 'forbidden',
};

/** A well-formed configuration document that a node must not adopt. */
export class ConfigurationVerificationError extends OverlayConfigError<ConfigurationVerificationErrorCode> {
  constructor(code: ConfigurationVerificationErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, VERIFICATION_KINDS[code], message, options);
  }
}
