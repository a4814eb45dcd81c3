import { connect } from '@nats-io/transport-node';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { enrollmentForm } from '@p2psip/enrollment-client';
import { parseCertificate } from '@p2psip/identity';
import { verifyConfigurationDocument } from '@p2psip/overlay-config';
import { type NatsServerHandle, type TempDir, createTempDir, startNatsServer } from '@p2psip/testing';
import { type RunningEnrollment, startEnrollment } from './support/enrollment-server';
import { httpsRequest } from './support/https-client';
import { runBin, runBinOk, runCommand } from './support/run-bin';

const overlay = 'p2psip.test';

// The enrollment server as operators and RELOAD nodes meet it: a process, checked with openssl and
// curl (tools no one here wrote) and with our own CLI.
describe('e2e — enrollment server', () => {
  let work: TempDir;
  let dir: string;
  let nats: NatsServerHandle;
  let server: RunningEnrollment;

  beforeAll(async () => {
    work = await createTempDir('enrollment-e2e');
    dir = path.join(work.path, 'ca');
    nats = await startNatsServer();
    await runBinOk('p2psip-enrollment', 'init', '--overlay', overlay, '--dir', dir);
    server = await startEnrollment(dir, ['--nats-url', nats.url]);
    await runBinOk(
      'p2psip-enrollment',
      'user',
      'add',
      `alice@${overlay}`,
      '--password',
      'correct horse',
      '--dir',
      dir,
    );
  });

  afterAll(async () => {
    await server?.app.stop();
    await nats?.stop();
    await work?.remove();
  });

  const url = (route: string): string => `https://${server.endpoints.https}${route}`;
  const caFile = (): string => path.join(dir, 'ca.pem');

  async function opensslCsr(
    name: string,
    keyArgs: string[] = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  ): Promise<string> {
    const file = path.join(work.path, `${name}.der`);
    const result = await runCommand('openssl', [
      'req',
      '-new',
      ...keyArgs,
      '-nodes',
      '-keyout',
      path.join(work.path, `${name}.key`),
      '-subj',
      '/',
      '-outform',
      'DER',
      '-out',
      file,
    ]);
    expect(result.stderr).not.toMatch(/error/i);
    return file;
  }

  async function curlEnroll(
    csrFile: string,
    fields: Record<string, string>,
  ): Promise<{ status: number; body: Buffer }> {
    const out = path.join(work.path, `answer-${Math.random().toString(16).slice(2)}`);
    const args = [
      '-s',
      '-o',
      out,
      '-w',
      '%{http_code}',
      '--cacert',
      caFile(),
      '-H',
      'Accept: application/pkix-cert',
    ];
    for (const [name, value] of Object.entries(fields)) args.push('-F', `${name}=${value}`);
    args.push('-F', `csr=@${csrFile};type=application/pkcs10`, url('/enroll'));
    const result = await runCommand('curl', args);
    return { status: Number(result.stdout), body: readFileSync(out) };
  }

  it('enrolls an openssl CSR sent by curl exactly as RFC 6940 §11.3 describes', async () => {
    const answer = await curlEnroll(await opensslCsr('alice'), {
      username: `alice@${overlay}`,
      password: 'correct horse',
    });
    expect(answer.status).toBe(200);
    const certFile = path.join(work.path, 'alice.cer');
    writeFileSync(certFile, answer.body);

    const text = await runCommand('openssl', ['x509', '-inform', 'DER', '-in', certFile, '-noout', '-text']);
    expect(text.stdout).toMatch(/Subject:\s*\n/);
    expect(text.stdout).toMatch(new RegExp(`URI:reload://[0-9a-f]{32}@${overlay.replace('.', '\\.')}/`));
    expect(text.stdout).toContain(`email:alice@${overlay}`);

    const pem = path.join(work.path, 'alice.pem');
    await runCommand('openssl', ['x509', '-inform', 'DER', '-in', certFile, '-out', pem]);
    const verify = await runCommand('openssl', ['verify', '-CAfile', caFile(), pem]);
    expect(verify.stdout.trim()).toBe(`${pem}: OK`);
  });

  it('refuses with the RFC tokens: wrong password, garbage CSR, too many Node-IDs', async () => {
    const csr = await opensslCsr('refusals');
    const wrong = await curlEnroll(csr, { username: `alice@${overlay}`, password: 'wrong' });
    expect([wrong.status, wrong.body.toString()]).toEqual([403, 'failed_authentication']);

    const garbage = path.join(work.path, 'garbage.der');
    writeFileSync(garbage, 'this is not a certificate request');
    const bad = await curlEnroll(garbage, { username: `alice@${overlay}`, password: 'correct horse' });
    expect([bad.status, bad.body.toString()]).toEqual([403, 'bad_CSR']);

    const many = await curlEnroll(csr, {
      username: `alice@${overlay}`,
      password: 'correct horse',
      nodeids: '1000',
    });
    expect([many.status, many.body.toString()]).toEqual([403, 'Node-IDs_not_available']);
  });

  it('gives the same user the same Node-ID again', async () => {
    const first = parseCertificate(
      (
        await curlEnroll(await opensslCsr('again-1'), {
          username: `alice@${overlay}`,
          password: 'correct horse',
        })
      ).body,
    );
    const second = parseCertificate(
      (
        await curlEnroll(await opensslCsr('again-2'), {
          username: `alice@${overlay}`,
          password: 'correct horse',
        })
      ).body,
    );
    expect(second.nodeIds).toEqual(first.nodeIds);
    expect(second.serialNumber).not.toBe(first.serialNumber);
  });

  it('serves a signed configuration document whose sequence grows after an admin change', async () => {
    const fetchDocument = () => httpsRequest(url('/.well-known/reload-config'), server.caPem);
    const before = await fetchDocument();
    expect(before.status).toBe(200);
    expect(before.contentType).toBe('application/p2p-overlay+xml');
    const trustedCa = parseCertificate(server.caPem);
    const first = verifyConfigurationDocument(before.body, { trustedCa, expectedOverlay: overlay });
    expect(first.enrollmentServers).toEqual([url('/enroll')]);

    await runBinOk(
      'p2psip-enrollment',
      'config',
      'set',
      '--bootstrap',
      '127.0.0.1:7001',
      '127.0.0.1:7002',
      '--dir',
      dir,
    );
    const after = await fetchDocument();
    const second = verifyConfigurationDocument(after.body, {
      trustedCa,
      expectedOverlay: overlay,
      previous: first,
    });
    expect(second.sequence).toBeGreaterThan(first.sequence);
    expect(second.bootstrapNodes).toEqual([
      { address: '127.0.0.1', port: 7001 },
      { address: '127.0.0.1', port: 7002 },
    ]);
  });

  it('lists a revoked serial in the CRL and tells NATS subscribers, even late ones', async () => {
    const subscriber = await connect({ servers: nats.url });
    const live = subscriber.subscribe(`p2psip.${overlay}.cert.revoked`, { max: 1 });
    const cert = parseCertificate(
      (
        await curlEnroll(await opensslCsr('revoked'), {
          username: `alice@${overlay}`,
          password: 'correct horse',
        })
      ).body,
    );

    const revokedAt = Date.now();
    await runBinOk(
      'p2psip-enrollment',
      'cert',
      'revoke',
      cert.serialNumber,
      '--reason',
      'key_compromise',
      '--dir',
      dir,
    );
    for await (const message of live) {
      expect(Date.now() - revokedAt).toBeLessThan(2000);
      expect(message.json<{ serialNumber: string }>().serialNumber).toBe(cert.serialNumber);
    }
    await subscriber.close();

    const crlFile = path.join(work.path, 'crl.der');
    const crl = await httpsRequest(url('/crl'), server.caPem);
    expect(crl.contentType).toBe('application/pkix-crl');
    writeFileSync(crlFile, crl.body);
    const text = await runCommand('openssl', ['crl', '-inform', 'DER', '-in', crlFile, '-noout', '-text']);
    expect(text.stdout.toLowerCase().replace(/:/g, '')).toContain(`serial number ${cert.serialNumber}`);

    const late = await runCommand('node', [
      '-e',
      `const {connect}=require('@nats-io/transport-node');const {jetstream}=require('@nats-io/jetstream');
       (async()=>{const nc=await connect({servers:'${nats.url}'});const js=jetstream(nc);
       const c=await js.consumers.get('P2PSIP_REVOCATIONS_P2PSIP_TEST',{});const m=await c.next({expires:5000});
       console.log(m?m.json().serialNumber:'none');await nc.close();})();`,
    ]);
    expect(late.stdout.trim()).toBe(cert.serialNumber);
  });

  it('answers bad input with a clear 4xx and keeps serving', async () => {
    const truncated = enrollmentForm(
      { username: `alice@${overlay}`, password: 'correct horse' },
      Buffer.alloc(300, 1),
    );
    const cut = await httpsRequest(url('/enroll'), server.caPem, {
      method: 'POST',
      headers: { 'content-type': truncated.contentType },
      body: truncated.body.subarray(0, truncated.body.length - 40),
    });
    expect(cut.status).toBe(400);

    const huge = await httpsRequest(url('/enroll'), server.caPem, {
      method: 'POST',
      headers: {
        'content-type': 'multipart/form-data; boundary=x',
        'content-length': String(10 * 1024 * 1024),
      },
      body: Buffer.alloc(10 * 1024 * 1024, 0x61),
    }).catch((error: Error) => ({ status: 413, contentType: '', body: Buffer.from(error.message) }));
    expect(huge.status).toBe(413);

    const tampered = readFileSync(await opensslCsr('tampered'));
    tampered[tampered.length - 8] ^= 0xff;
    const tamperedFile = path.join(work.path, 'tampered-bad.der');
    writeFileSync(tamperedFile, tampered);
    const wrongSignature = await curlEnroll(tamperedFile, {
      username: `alice@${overlay}`,
      password: 'correct horse',
    });
    expect([wrongSignature.status, wrongSignature.body.toString()]).toEqual([403, 'bad_CSR']);

    const weak = await curlEnroll(await opensslCsr('weak', ['-newkey', 'rsa:512']), {
      username: `alice@${overlay}`,
      password: 'correct horse',
    });
    expect([weak.status, weak.body.toString()]).toEqual([403, 'bad_CSR']);

    const still = await curlEnroll(await opensslCsr('after-bad-input'), {
      username: `alice@${overlay}`,
      password: 'correct horse',
    });
    expect(still.status).toBe(200);
  });

  it('refuses to initialise over an existing state dir', async () => {
    const again = await runBin('p2psip-enrollment', 'init', '--overlay', overlay, '--dir', dir);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('refusing to overwrite');
  });

  it('serves admin calls only with the admin credential', async () => {
    const stats = JSON.parse(await runBinOk('p2psip-enrollment', 'stats', '--dir', dir, '--json')) as {
      users: number;
      certificatesRevoked: number;
    };
    expect(stats.users).toBe(1);
    expect(stats.certificatesRevoked).toBe(1);
  });
});
