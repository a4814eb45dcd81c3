import type { CertificateAuthority } from './authority';
import { ECDSA_P256 } from './keys';
import { x509 } from './provider';

export interface RevokedEntry {
  /** Lower-case hex. */
  readonly serialNumber: string;
  readonly revokedAt: Date;
}

export interface CreateRevocationListInit {
  readonly authority: CertificateAuthority;
  readonly entries: readonly RevokedEntry[];
  /** Monotonic CRL number (RFC 5280 §5.2.3), so relying parties can tell newer lists apart. */
  readonly crlNumber: number;
  /** @default now */
  readonly thisUpdate?: Date;
  /** When relying parties should fetch again. @default thisUpdate + 1 hour */
  readonly nextUpdate?: Date;
}

const HOUR_MS = 60 * 60 * 1000;
const CRL_NUMBER_OID = '2.5.29.20';

/** A DER X.509 v2 CRL signed by the overlay CA (what `GET /crl` serves). */
export async function createRevocationList(init: CreateRevocationListInit): Promise<Buffer> {
  const thisUpdate = init.thisUpdate ?? new Date();
  const crl = await x509.X509CrlGenerator.create({
    issuer: init.authority.certificate.x509.subject,
    thisUpdate,
    nextUpdate: init.nextUpdate ?? new Date(thisUpdate.getTime() + HOUR_MS),
    signingAlgorithm: ECDSA_P256,
    signingKey: init.authority.keys.privateKey,
    extensions: [
      await x509.AuthorityKeyIdentifierExtension.create(init.authority.certificate.x509),
      new x509.Extension(CRL_NUMBER_OID, false, derInteger(init.crlNumber)),
    ],
    entries: init.entries.map((entry) => ({
      serialNumber: entry.serialNumber,
      revocationDate: entry.revokedAt,
    })),
  });
  return Buffer.from(crl.rawData);
}

/** DER INTEGER for a non-negative safe integer (the CRL number's value). */
function derInteger(value: number): Buffer {
  let hex = Math.max(0, Math.floor(value)).toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

/** The serials a DER CRL lists, lower-case hex (for checks and for peers applying a CRL). */
export function revokedSerials(der: Uint8Array): string[] {
  const crl = new x509.X509Crl(der);
  return crl.entries.map((entry) => entry.serialNumber.toLowerCase().replace(/^0+(?=.)/, ''));
}
