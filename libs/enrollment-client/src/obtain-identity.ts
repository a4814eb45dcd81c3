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
 * The node's identity: the one in `dir` if it is there, still valid, from this CA and holds
 * `nodeIdCount` Node-IDs; otherwise a fresh enrollment with the given credentials, written to
 * `dir` for next time. The same user gets the same Node-IDs again (the server hands out the ones
 * it holds first), so a re-enrolled node keeps its place in the ring, and an identity grown for a
 * larger `--count` keeps the Node-IDs it had and adds the missing ones.
 */
export async function obtainIdentity(
  init: ObtainIdentityInit,
): Promise<StoredIdentity & { enrolled: boolean }> {
  const stored = await readIdentity(init.dir);
  const ca = parseCertificate(init.caPem);
  const wanted = init.nodeIdCount ?? 1;
  const valid = stored !== undefined && (await isIssuedBy(stored.certificate, ca));
  const held = valid ? stored.certificate.nodeIds : [];
  if (valid && held.length >= wanted) return { ...stored, enrolled: false };
  if (!init.userName || init.password === undefined) {
    const why = valid
      ? `it holds ${held.length} Node-ID(s) and ${wanted} are needed`
      : stored
        ? 'its certificate is expired or from another CA'
        : 'it holds no identity';
    throw new EnrollmentClientError(
      'CREDENTIALS_NEEDED',
      'invalid-argument',
      `${init.dir}: ${why}; give --user and --password to enroll`,
    );
  }
  const holder = valid ? stored.certificate.userName : undefined;
  if (holder !== undefined && holder.toLowerCase() !== init.userName.toLowerCase()) {
    // Another user's Node-IDs would replace these, and the node would lose its place in the ring.
    throw new EnrollmentClientError(
      'USER_MISMATCH',
      'invalid-argument',
      `${init.dir} holds the identity of ${holder}; enroll more Node-IDs as that user, not ${init.userName}`,
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
  const lost = held.filter((id) => !identity.certificate.nodeIds.includes(id));
  if (lost.length > 0) {
    // Not written: the identity in the dir stays as it was.
    throw new EnrollmentClientError(
      'NODE_IDS_CHANGED',
      'precondition',
      `the enrollment server did not keep ${lost.length} of the Node-IDs in ${init.dir}`,
    );
  }
  return { ...(await writeIdentity(init.dir, identity, init.caPem)), enrolled: true };
}
