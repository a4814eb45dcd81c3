import { isIssuedBy, parseCertificate } from '@p2psip/identity';
import { enroll } from './enroll';
import { EnrollmentClientError } from './errors';
import { type StoredIdentity, readIdentity, writeIdentity } from './identity-dir';

export interface ObtainIdentityInit {
  /** Where the identity lives (`cert.pem`, `key.pem`, `ca.pem`). */
  readonly dir: string;
  readonly caPem: string;
  /** The configuration's enrollment-server URL, used when the dir holds no identity. */
  readonly enrollmentUrl: string | undefined;
  /** Credentials for a first enrollment (the admin made this user). */
  readonly userName?: string;
  readonly password?: string;
  readonly nodeIdCount?: number;
  readonly signal?: AbortSignal;
}

/**
 * The node's identity: the one in `dir` if it is there, still valid and from this CA; otherwise a
 * fresh enrollment with the given credentials, written to `dir` for next time (the same user gets
 * the same Node-IDs again, so a re-enrolled node keeps its place in the ring).
 */
export async function obtainIdentity(
  init: ObtainIdentityInit,
): Promise<StoredIdentity & { enrolled: boolean }> {
  const stored = await readIdentity(init.dir);
  const ca = parseCertificate(init.caPem);
  if (stored && (await isIssuedBy(stored.certificate, ca))) return { ...stored, enrolled: false };
  if (!init.userName || init.password === undefined) {
    const why = stored ? 'its certificate is expired or from another CA' : 'it holds no identity';
    throw new EnrollmentClientError(
      'CREDENTIALS_NEEDED',
      'invalid-argument',
      `${init.dir}: ${why}; give --user and --password to enroll`,
    );
  }
  if (!init.enrollmentUrl)
    throw new EnrollmentClientError(
      'NO_ENROLLMENT_SERVER',
      'precondition',
      'the configuration names no enrollment server',
    );
  const identity = await enroll({
    enrollmentUrl: init.enrollmentUrl,
    caPem: init.caPem,
    userName: init.userName,
    password: init.password,
    ...(init.nodeIdCount ? { nodeIdCount: init.nodeIdCount } : {}),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  return { ...(await writeIdentity(init.dir, identity, init.caPem)), enrolled: true };
}
