import { request } from 'node:https';

export interface HttpsAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
}

/** One HTTPS request against our CA (no keep-alive, so a killed server fails it promptly). */
export function httpsRequest(
  url: string,
  caPem: string,
  options: { method?: string; headers?: Record<string, string>; body?: Uint8Array; timeoutMs?: number } = {},
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ca: caPem,
        agent: false,
        timeout: options.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A multipart/form-data body as RFC 6940 §11.3 describes it (csr typed application/pkcs10). */
export function enrollmentForm(fields: {
  username?: string;
  password?: string;
  nodeids?: string;
  csr?: Uint8Array;
}): { body: Buffer; contentType: string } {
  const boundary = `----p2psip${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || name === 'csr') continue;
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value as string}\r\n`,
      ),
    );
  }
  if (fields.csr) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="csr"; filename="req.der"\r\nContent-Type: application/pkcs10\r\n\r\n`,
      ),
    );
    parts.push(Buffer.from(fields.csr), Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
