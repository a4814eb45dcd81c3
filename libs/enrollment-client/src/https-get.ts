import { request } from 'node:https';
import { EnrollmentClientError } from './errors';

export interface HttpsCallOptions {
  /** Trust anchors for the server certificate: the overlay CA. */
  readonly caPem: string;
  /** @default 10 s */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array;
  /** Largest answer accepted, bytes. @default 1 MiB */
  readonly maxBytes?: number;
}

export interface HttpsAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
}

/** One HTTPS exchange with a deadline, an AbortSignal and a size cap. */
export function httpsCall(url: string, options: HttpsCallOptions): Promise<HttpsAnswer> {
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  return new Promise((resolve, reject) => {
    // Settles once: a destroyed response may still emit 'end' or 'error' afterwards.
    let settled = false;
    const fail = (message: string, cause?: unknown): void => {
      if (settled) return;
      settled = true;
      reject(new EnrollmentClientError('UNREACHABLE', 'unavailable', `${url}: ${message}`, { cause }));
    };
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ca: options.caPem,
        timeout: options.timeoutMs ?? 10_000,
        signal: options.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= maxBytes) chunks.push(chunk);
          else {
            fail(`answer over ${maxBytes} bytes`);
            res.destroy();
          }
        });
        res.on('end', () => {
          if (settled) return;
          settled = true;
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks),
          });
        });
        res.on('error', (error) => fail(error.message, error));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs ?? 10_000} ms`)));
    req.on('error', (error) => fail(error.message, error));
    req.end(options.body);
  });
}
