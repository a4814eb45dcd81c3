import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { exportPrivateKeyPem, generateKeyPair, issueServerCertificate } from '@p2psip/identity';
import { createTestPki } from '@p2psip/testing';
import { httpsCall } from './https-get';

describe('enrollment-client — HTTPS calls', () => {
  let server: Server;
  let caPem: string;
  let base: string;

  beforeAll(async () => {
    const pki = await createTestPki();
    caPem = pki.caPem;
    const keys = await generateKeyPair();
    const certificate = await issueServerCertificate({
      authority: pki.authority,
      publicKey: keys.publicKey,
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
    });
    server = createServer(
      { cert: certificate.pem, key: await exportPrivateKeyPem(keys.privateKey) },
      (request, response) => {
        if (request.url === '/big') response.end(Buffer.alloc(4096, 0x61));
        else if (request.url === '/slow') setTimeout(() => response.end('late'), 2000);
        else response.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('answers with status, type and body, trusting the overlay CA', async () => {
    expect(await httpsCall(`${base}/`, { caPem })).toEqual({
      status: 200,
      contentType: 'text/plain',
      body: Buffer.from('hello'),
    });
  });

  it('refuses answers over the size cap, and calls past their deadline or aborted', async () => {
    await expect(httpsCall(`${base}/big`, { caPem, maxBytes: 1000 })).rejects.toMatchObject({
      code: 'UNREACHABLE',
    });
    await expect(httpsCall(`${base}/slow`, { caPem, timeoutMs: 100 })).rejects.toMatchObject({
      code: 'UNREACHABLE',
    });
    await expect(
      httpsCall(`${base}/slow`, { caPem, signal: AbortSignal.timeout(100) }),
    ).rejects.toMatchObject({ code: 'UNREACHABLE' });
  });

  it('refuses a server whose certificate another CA issued', async () => {
    const stranger = await createTestPki();
    await expect(httpsCall(`${base}/`, { caPem: stranger.caPem })).rejects.toMatchObject({
      code: 'UNREACHABLE',
    });
  });
});
