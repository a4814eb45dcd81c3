/** `p2psip.<overlay>.cert.issued`: a certificate left the CA. JSON, ids as lower-case hex. */
export interface CertIssuedEvent {
  readonly serialNumber: string;
  readonly userName: string;
  readonly nodeIds: readonly string[];
  readonly issuedAtMs: number;
  readonly notAfterMs: number;
}

/**
 * `p2psip.<overlay>.cert.revoked` (also kept in a JetStream stream): links to nodes holding this
 * certificate must be refused and closed.
 */
export interface CertRevokedEvent {
  readonly serialNumber: string;
  readonly userName: string;
  readonly nodeIds: readonly string[];
  readonly revokedAtMs: number;
  readonly reason: string;
  /** Until when the revocation matters: after it the certificate has expired anyway. */
  readonly notAfterMs: number;
}

export function encodeEvent(event: object): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(event));
}

/** Parses an event's JSON; undefined (never a throw) for anything that is not a JSON object. */
export function decodeEvent<T extends object>(data: Uint8Array): T | undefined {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(data));
    return typeof value === 'object' && value !== null ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}
