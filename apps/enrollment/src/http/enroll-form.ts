import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';

/** The fields of RFC 6940 §11.3's multipart/form-data enrollment request. */
export interface EnrollForm {
  readonly username: string;
  readonly password: string;
  /** The `nodeids` part, if sent (only needed for more than one Node-ID). */
  readonly nodeIds: number | undefined;
  readonly csr: Buffer;
}

/** A request that is not a well-formed enrollment form: 400, or 413 when too large. */
export class FormError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Enrollment forms are small: a CSR is under 2 kB for ECDSA, under 8 kB for RSA 8192. */
export const FORM_LIMITS = { bodyBytes: 64 * 1024, csrBytes: 32 * 1024, fieldBytes: 1024, parts: 8 } as const;

/**
 * Reads the enrollment form with busboy, within hard limits, so a 10 MB body or a truncated stream
 * costs little and ends in a clear 4xx rather than a hung or crashed server.
 */
export function readEnrollForm(request: IncomingMessage): Promise<EnrollForm> {
  const type = request.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\b/i.test(type)) {
    return Promise.reject(new FormError(415, 'expected multipart/form-data (RFC 6940 §11.3)'));
  }
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > FORM_LIMITS.bodyBytes) {
    return Promise.reject(new FormError(413, `request body over ${FORM_LIMITS.bodyBytes} bytes`));
  }
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: request.headers,
        limits: {
          fieldSize: FORM_LIMITS.fieldBytes,
          fileSize: FORM_LIMITS.csrBytes,
          parts: FORM_LIMITS.parts,
          files: 1,
        },
      });
    } catch (error) {
      reject(new FormError(400, `malformed multipart/form-data: ${(error as Error).message}`));
      return;
    }
    const fields = new Map<string, string>();
    let csr: Buffer | undefined;
    let failure: FormError | undefined;
    let received = 0;
    const fail = (error: FormError): void => {
      failure ??= error;
      request.unpipe(parser);
      request.resume();
      reject(failure);
    };

    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(new FormError(413, `form field ${name} too long`));
      else if (name === 'csr') csr = Buffer.from(value, 'latin1');
      else fields.set(name, value);
    });
    parser.on('file', (name, stream, info) => {
      // A truncated body errors the part's stream too; unheard, that error would kill the process.
      stream.on('error', (error: Error) =>
        fail(new FormError(400, `malformed multipart/form-data: ${error.message}`)),
      );
      if (name !== 'csr') {
        stream.resume();
        return;
      }
      if (info.mimeType !== 'application/pkcs10') {
        stream.resume();
        fail(new FormError(400, `the csr part must be typed application/pkcs10, got ${info.mimeType}`));
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => fail(new FormError(413, `csr over ${FORM_LIMITS.csrBytes} bytes`)));
      stream.on('end', () => (csr = Buffer.concat(chunks)));
    });
    parser.on('partsLimit', () => fail(new FormError(413, 'too many form parts')));
    parser.on('error', (error: Error) =>
      fail(new FormError(400, `malformed multipart/form-data: ${error.message}`)),
    );
    parser.on('close', () => {
      if (failure) return;
      const form = toForm(fields, csr);
      if (form instanceof FormError) reject(form);
      else resolve(form);
    });
    request.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > FORM_LIMITS.bodyBytes)
        fail(new FormError(413, `request body over ${FORM_LIMITS.bodyBytes} bytes`));
    });
    request.on('aborted', () => fail(new FormError(400, 'request aborted')));
    request.pipe(parser);
  });
}

function toForm(fields: Map<string, string>, csr: Buffer | undefined): EnrollForm | FormError {
  const username = fields.get('username');
  if (username === undefined || username.length === 0)
    return new FormError(400, 'missing form part: username');
  if (!csr || csr.length === 0) return new FormError(400, 'missing form part: csr (application/pkcs10, DER)');
  const nodeIdsText = fields.get('nodeids');
  const nodeIds = nodeIdsText === undefined ? undefined : Number(nodeIdsText.trim());
  if (nodeIds !== undefined && (!Number.isSafeInteger(nodeIds) || nodeIds < 0)) {
    return new FormError(400, `nodeids must be a count, got ${JSON.stringify(nodeIdsText?.slice(0, 20))}`);
  }
  return { username, password: fields.get('password') ?? '', nodeIds, csr };
}
