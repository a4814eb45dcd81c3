import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type ReloadCertificate, parseCertificate } from '@p2psip/identity';
import type { EnrolledIdentity } from './enroll';
import { EnrollmentClientError } from './errors';

/** A node's enrolled identity on disk: `cert.pem`, `key.pem` (0600) and the overlay's `ca.pem`. */
export interface StoredIdentity {
  readonly certificate: ReloadCertificate;
  readonly certPem: string;
  readonly keyPem: string;
  readonly caPem: string;
}

export function identityFiles(dir: string) {
  return {
    cert: path.join(dir, 'cert.pem'),
    key: path.join(dir, 'key.pem'),
    ca: path.join(dir, 'ca.pem'),
  } as const;
}

/** The identity in `dir`, or undefined when it holds none yet. */
export async function readIdentity(dir: string): Promise<StoredIdentity | undefined> {
  const files = identityFiles(dir);
  let certPem: string;
  try {
    certPem = await readFile(files.cert, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const [keyPem, caPem] = await Promise.all([readFile(files.key, 'utf8'), readFile(files.ca, 'utf8')]);
    return { certificate: parseCertificate(certPem), certPem, keyPem, caPem };
  } catch (cause) {
    throw new EnrollmentClientError(
      'IDENTITY_DAMAGED',
      'precondition',
      `identity in ${dir} is incomplete or damaged`,
      { cause },
    );
  }
}

/** Writes an identity atomically (key first and private, certificate last: its presence means complete). */
export async function writeIdentity(
  dir: string,
  identity: EnrolledIdentity,
  caPem: string,
): Promise<StoredIdentity> {
  const files = identityFiles(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeAtomically(files.key, identity.keyPem, 0o600);
  await writeAtomically(files.ca, caPem, 0o644);
  await writeAtomically(files.cert, identity.certPem, 0o644);
  return { certificate: identity.certificate, certPem: identity.certPem, keyPem: identity.keyPem, caPem };
}

async function writeAtomically(file: string, content: string, mode: number): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, content, { mode });
  await rename(temporary, file);
}
