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
