import path from 'node:path';
import { enrollmentForm } from '@p2psip/enrollment-client';
import { createCsr, generateKeyPair, parseCertificate } from '@p2psip/identity';
import { type TempDir, createTempDir } from '@p2psip/testing';
import { type RunningEnrollment, startEnrollment } from './support/enrollment-server';
import { httpsRequest } from './support/https-client';
import { runBinOk } from './support/run-bin';

const overlay = 'p2psip.test';
const BURST = 200;

interface ListedCertificate {
  serialNumber: string;
  userName: string;
  nodeIds: string[];
}

// A CA must never forget a certificate it handed out: kill -9 in the middle of a burst of
// enrollments, restart, and every certificate a client received must be on record.
describe('e2e — enrollment survives kill -9', () => {
  let work: TempDir;
  let server: RunningEnrollment | undefined;

  beforeAll(async () => {
    work = await createTempDir('enrollment-crash');
  });

  afterAll(async () => {
    await server?.app.stop();
    await work.remove();
  });

  it('lists every certificate a client received, with no serial or Node-ID duplicated', async () => {
    const dir = path.join(work.path, 'ca');
    await runBinOk('p2psip-enrollment', 'init', '--overlay', overlay, '--dir', dir);
    server = await startEnrollment(dir);
    await runBinOk('p2psip-enrollment', 'config', 'set', '--self-registration', 'on', '--dir', dir);

    const forms = await Promise.all(
      Array.from({ length: BURST }, async (_, i) =>
        enrollmentForm(
          { username: `user${i}@${overlay}`, password: `pw-${i}` },
          (await createCsr(await generateKeyPair())).der,
        ),
      ),
    );
    const running = server;
    const received: Buffer[] = [];
    let killed = false;
    const requests = forms.map(async (form) => {
      const answer = await httpsRequest(`https://${running.endpoints.https}/enroll`, running.caPem, {
        method: 'POST',
        headers: { 'content-type': form.contentType, accept: 'application/pkix-cert' },
        body: form.body,
      }).catch(() => undefined);
      if (answer?.status === 200) received.push(answer.body);
      // Kill once part of the burst has been answered, while the rest is in flight.
      if (received.length >= BURST / 4 && !killed) {
        killed = true;
        running.app.child.kill('SIGKILL');
      }
    });
    await Promise.all(requests);
    await running.app.exited();
    expect(killed).toBe(true);
    expect(received.length).toBeGreaterThanOrEqual(BURST / 4);
    expect(received.length).toBeLessThan(BURST);

    server = await startEnrollment(dir);
    const listed = JSON.parse(
      await runBinOk('p2psip-enrollment', 'cert', 'list', '--dir', dir, '--json'),
    ) as ListedCertificate[];
    const listedSerials = new Set(listed.map((c) => c.serialNumber));
    expect(listedSerials.size).toBe(listed.length);
    for (const der of received) expect(listedSerials.has(parseCertificate(der).serialNumber)).toBe(true);

    const owners = new Map<string, string>();
    for (const certificate of listed) {
      for (const nodeId of certificate.nodeIds) {
        expect(owners.get(nodeId) ?? certificate.userName).toBe(certificate.userName);
        owners.set(nodeId, certificate.userName);
      }
    }
  }, 300_000); // 200 scrypt-hashed self-registrations, a crash and a restart: minutes on a loaded 2-core box
});
