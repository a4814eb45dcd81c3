import type { CsrInspection, IssueRequest } from '@p2psip/ca';
import type { IssuedCertificate } from '@p2psip/identity';

/** What the main thread gives every signing worker at start. */
export interface SigningWorkerData {
  readonly caCertificatePem: string;
  readonly caKeyPem: string;
}

export type SigningTaskBody =
  | { readonly kind: 'inspect'; readonly der: Uint8Array }
  | { readonly kind: 'issue'; readonly request: IssueRequest };

export type SigningTask = SigningTaskBody & { readonly id: number };

export type SigningResult =
  | { readonly id: number; readonly ok: true; readonly value: CsrInspection | IssuedCertificate }
  | { readonly id: number; readonly ok: false; readonly code: string | undefined; readonly message: string };

/**
 * The bytes in an ArrayBuffer of their own, to be moved between threads rather than cloned: a
 * small Buffer is usually a view into Node's shared 8 KiB pool, and cloning a view copies its
 * whole ArrayBuffer.
 */
export function ownBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}
