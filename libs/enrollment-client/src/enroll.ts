import {
  type ReloadCertificate,
  createCsr,
  exportPrivateKeyPem,
  generateKeyPair,
  isIssuedBy,
  parseCertificate,
} from '@p2psip/identity';
import { enrollmentForm } from './enrollment-form';
import { EnrollmentClientError, EnrollmentRefusedError } from './errors';
import { httpsCall } from './https-get';

export interface EnrollInit {
  /** The configuration's enrollment-server URL (`https://…/enroll`). */
  readonly enrollmentUrl: string;
  readonly caPem: string;
  readonly userName: string;
  readonly password: string;
  /** @default 1 */
  readonly nodeIdCount?: number;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface EnrolledIdentity {
  readonly certificate: ReloadCertificate;
  readonly certPem: string;
  readonly keyPem: string;
}

const RFC_TOKENS = new Set([
  'failed_authentication',
  'username_not_available',
  'Node-IDs_not_available',
  'bad_CSR',
]);

/**
 * Enrolls exactly as RFC 6940 §11.3 describes: a fresh ECDSA P-256 key, a PKCS#10 request, a
 * multipart POST, and a DER certificate back, checked against the CA before it is used.
 */
export async function enroll(init: EnrollInit): Promise<EnrolledIdentity> {
  const keys = await generateKeyPair();
  const csr = await createCsr(keys, { userName: init.userName });
  const form = enrollmentForm(
    {
      username: init.userName,
      password: init.password,
      ...(init.nodeIdCount && init.nodeIdCount > 1 ? { nodeids: String(init.nodeIdCount) } : {}),
    },
    csr.der,
  );
  const answer = await httpsCall(init.enrollmentUrl, {
    method: 'POST',
    caPem: init.caPem,
    headers: { 'content-type': form.contentType, accept: 'application/pkix-cert' },
    body: form.body,
    ...(init.timeoutMs === undefined ? {} : { timeoutMs: init.timeoutMs }),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  if (answer.status === 403) {
    const token = answer.body.toString('utf8').trim();
    throw RFC_TOKENS.has(token)
      ? new EnrollmentRefusedError(token)
      : new EnrollmentClientError(
          'ENROLLMENT_FAILED',
          'forbidden',
          `enrollment refused: ${token.slice(0, 200)}`,
        );
  }
  if (answer.status !== 200) {
    throw new EnrollmentClientError(
      'ENROLLMENT_FAILED',
      'unavailable',
      `enrollment server answered ${answer.status}: ${answer.body.toString('utf8').slice(0, 200)}`,
    );
  }
  const certificate = parseCertificate(answer.body);
  if (!(await isIssuedBy(certificate, parseCertificate(init.caPem)))) {
    throw new EnrollmentClientError(
      'UNTRUSTED_CERTIFICATE',
      'precondition',
      'the enrollment server returned a certificate the CA did not issue',
    );
  }
  return { certificate, certPem: certificate.pem, keyPem: await exportPrivateKeyPem(keys.privateKey) };
}
