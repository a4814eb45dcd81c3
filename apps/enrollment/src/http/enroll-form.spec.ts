import { type IncomingMessage, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type EnrollForm, FORM_LIMITS, FormError, readEnrollForm } from './enroll-form';

// Real HTTP requests against a plain server, so busboy sees exactly what a socket delivers.
async function submit(body: Buffer, contentType: string): Promise<EnrollForm | FormError> {
  let outcome: Promise<EnrollForm | FormError> = Promise.resolve(new FormError(400, 'no request'));
  const server = createServer((req: IncomingMessage, res) => {
    outcome = readEnrollForm(req).catch((error: FormError) => error);
    void outcome.then(() => res.end('done'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => {
    const req = request({ port, method: 'POST', headers: { 'content-type': contentType } }, (res) =>
      res.resume().on('end', resolve),
    );
    req.on('error', () => resolve());
    req.end(body);
  });
  server.close();
  return outcome;
}

function form(parts: string[], csr?: { type: string; bytes: Buffer }): Buffer {
  const chunks: Buffer[] = parts.map((part) =>
    Buffer.from(
      `--b\r\nContent-Disposition: form-data; name="${part.split('=')[0]}"\r\n\r\n${part.split('=')[1]}\r\n`,
    ),
  );
  if (csr) {
    chunks.push(
      Buffer.from(
        `--b\r\nContent-Disposition: form-data; name="csr"; filename="r.der"\r\nContent-Type: ${csr.type}\r\n\r\n`,
      ),
      csr.bytes,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from('--b--\r\n'));
  return Buffer.concat(chunks);
}

const type = 'multipart/form-data; boundary=b';
const csr = { type: 'application/pkcs10', bytes: Buffer.from([0x30, 0x82, 0x01, 0x00]) };

describe('enrollment — the RFC 6940 §11.3 form', () => {
  it('reads username, password, nodeids and the DER csr', async () => {
    const result = await submit(form(['username=alice@p2psip.test', 'password=pw', 'nodeids=2'], csr), type);
    expect(result).toEqual({ username: 'alice@p2psip.test', password: 'pw', nodeIds: 2, csr: csr.bytes });
  });

  it('answers 400 for a body cut short, without crashing', async () => {
    const whole = form(['username=alice@p2psip.test'], csr);
    const result = await submit(whole.subarray(0, whole.length - 12), type);
    expect(result).toBeInstanceOf(FormError);
    expect((result as FormError).status).toBe(400);
  });

  it('answers 413 for a body over the limit', async () => {
    const result = await submit(
      form(['username=a@p2psip.test'], {
        type: 'application/pkcs10',
        bytes: Buffer.alloc(FORM_LIMITS.bodyBytes + 1),
      }),
      type,
    );
    expect((result as FormError).status).toBe(413);
  });

  it('answers 400 for a missing or mistyped csr and a bad nodeids', async () => {
    expect((await submit(form(['username=a@p2psip.test']), type)) as FormError).toMatchObject({
      status: 400,
    });
    expect(
      (await submit(form(['username=a@p2psip.test'], { ...csr, type: 'text/plain' }), type)) as FormError,
    ).toMatchObject({ status: 400 });
    expect(
      (await submit(form(['username=a@p2psip.test', 'nodeids=lots'], csr), type)) as FormError,
    ).toMatchObject({ status: 400 });
  });

  it('answers 415 for a body that is not multipart', async () => {
    expect((await submit(Buffer.from('{}'), 'application/json')) as FormError).toMatchObject({ status: 415 });
  });
});
