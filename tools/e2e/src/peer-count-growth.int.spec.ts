import path from 'node:path';
import { type TempDir, createTempDir } from '@p2psip/testing';
import { type RunningEnrollment, startEnrollment } from './support/enrollment-server';
import { startPeerProcess } from './support/peer-process';
import { runBin, runBinOk } from './support/run-bin';

const overlay = 'p2psip.test';

// An operator grows a peer process: `--count 4` on the identity dir of an earlier `--count 2`.
describe('e2e — growing --count on an existing identity dir', () => {
  let work: TempDir;
  let enrollment: RunningEnrollment;
  let configUrl: string;
  let caFile: string;

  beforeAll(async () => {
    work = await createTempDir('peer-count-growth');
    const dir = path.join(work.path, 'ca');
    await runBinOk('p2psip-enrollment', 'init', '--overlay', overlay, '--dir', dir);
    enrollment = await startEnrollment(dir, ['--signing-workers', '1']);
    await runBinOk('p2psip-enrollment', 'config', 'set', '--max-node-ids', '4', '--dir', dir);
    await runBinOk('p2psip-enrollment', 'user', 'add', `peer1@${overlay}`, '--password', 'pw', '--dir', dir);
    configUrl = `https://${enrollment.endpoints.https}/.well-known/reload-config`;
    caFile = path.join(dir, 'ca.pem');
  });

  afterAll(async () => {
    await enrollment?.app.stop();
    await work?.remove();
  });

  const args = (count: number, credentials: boolean): string[] => [
    '--config-url',
    configUrl,
    '--ca',
    caFile,
    '--identity',
    path.join(work.path, 'peer-1'),
    ...(credentials ? ['--user', `peer1@${overlay}`, '--password', 'pw'] : []),
    '--count',
    String(count),
    '--first',
  ];

  it('enrolls the missing Node-IDs and keeps the ones it had', async () => {
    const small = await startPeerProcess(args(2, true));
    const before = small.peers.map((peer) => peer.nodeId);
    expect(before).toHaveLength(2);
    await small.app.stop();

    // Without credentials it says what is missing instead of starting with too few.
    const refused = await runBin('p2psip-peer', 'run', ...args(4, false));
    expect(refused.status).toBe(1);
    expect(refused.stdout + refused.stderr).toContain('holds 2 Node-ID(s) and 4 are needed');

    const grown = await startPeerProcess(args(4, true));
    const after = grown.peers.map((peer) => peer.nodeId);
    await grown.app.stop();
    expect(after).toHaveLength(4);
    expect(new Set(after).size).toBe(4);
    // The first virtual peers keep their Node-IDs, hence their places in the ring.
    expect(after.slice(0, 2)).toEqual(before);

    // Back to fewer: the identity holds enough, nothing is enrolled.
    const again = await startPeerProcess(args(3, false));
    expect(again.peers.map((peer) => peer.nodeId)).toEqual(after.slice(0, 3));
    await again.app.stop();
  });
});
