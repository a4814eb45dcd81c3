import { randomBytes } from 'node:crypto';

export interface EnrollmentForm {
  readonly body: Buffer;
  readonly contentType: string;
}

/**
 * The multipart/form-data body of an enrollment POST (RFC 6940 §11.3): text fields such as
 * username, password and nodeids, then the DER CSR as a part typed application/pkcs10.
 */
export function enrollmentForm(fields: Record<string, string>, csrDer: Uint8Array): EnrollmentForm {
  const boundary = `p2psip-${randomBytes(12).toString('hex')}`;
  const parts: Buffer[] = Object.entries(fields).map(([name, value]) =>
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      'utf8',
    ),
  );
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="csr"; filename="request.der"\r\nContent-Type: application/pkcs10\r\n\r\n`,
    ),
    Buffer.from(csrDer),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
