import path from 'node:path';
import { readIdentity } from '@p2psip/enrollment-client';
import { diagnosticsV1 } from '@p2psip/proto';
import { callUnary, clientCredentials, createClient } from '@p2psip/rpc';
import { type TempDir, createTempDir } from '@p2psip/testing';
import { type RunningBootstrap, startBootstrap } from './support/bootstrap-server';
import { type RunningEnrollment, startEnrollment } from './support/enrollment-server';
import { type RunningPeerProcess, startPeerProcess } from './support/peer-process';
import { waitForConsistentRing } from './support/diag-ring';
import { runBinOk } from './support/run-bin';

const overlay = 'p2psip.test';

// Bootstrap services hold nothing peers cannot do without: with one down, joiners use the other;
// with both down, a restarted peer rejoins through the peers it cached on disk.
describe('e2e — bootstrap failover and rejoining from the cache', () => {
  let work: TempDir;
  let enrollment: RunningEnrollment;
  const bootstraps: RunningBootstrap[] = [];
  const processes: RunningPeerProcess[] = [];
  let configUrl: string;
  let caFile: string;

  const peerArgs = (n: number, extra: string[] = []): string[] => [
    '--config-url',
    configUrl,
    '--ca',
    caFile,
    '--identity',
    path.join(work.path, `peer-${n}`),
    '--user',
    `peer${n}@${overlay}`,
    '--password',
    'pw',
    '--count',
    '2',
    '--update-interval-ms',
    '1000',
    ...extra,
  ];

  beforeAll(async () => {
    work = await createTempDir('failover-e2e');
    const dir = path.join(work.path, 'ca');
    await runBinOk('p2psip-enrollment', 'init', '--overlay', overlay, '--dir', dir);
    enrollment = await startEnrollment(dir, ['--signing-workers', '1']);
    await runBinOk(
      'p2psip-enrollment',
      'config',
      'set',
      '--max-node-ids',
      '4',
      '--self-registration',
      'on',
      '--dir',
      dir,
    );
    configUrl = `https://${enrollment.endpoints.https}/.well-known/reload-config`;
    caFile = path.join(dir, 'ca.pem');
    for (const n of [1, 2]) {
      bootstraps.push(
        await startBootstrap([
          '--config-url',
          configUrl,
          '--ca',
          caFile,
          '--identity',
          path.join(work.path, `bootstrap-${n}`),
          '--user',
          `bootstrap${n}@${overlay}`,
          '--password',
          'pw',
          '--probe-interval-ms',
          '1000',
        ]),
      );
    }
    await runBinOk(
      'p2psip-enrollment',
      'config',
      'set',
      '--bootstrap',
      ...bootstraps.map((b) => b.grpc),
      '--dir',
      dir,
    );
    processes.push(await startPeerProcess(peerArgs(1, ['--first'])));
    processes.push(await startPeerProcess(peerArgs(2)));
  });

  afterAll(async () => {
    await Promise.all([...processes, ...bootstraps].map((p) => p.app.stop()));
    await enrollment?.app.stop();
    await work?.remove();
  });

  it('lets new peers join through the second bootstrap when the first is down', async () => {
    await bootstraps[0]?.app.stop();
    processes.push(await startPeerProcess(peerArgs(3)));
    const second = bootstraps[1]?.grpc ?? '';
    await waitForConsistentRing(second, path.join(work.path, 'peer-1'), 6, 20_000);
  });

  it('rejoins a restarted peer through its cached peers when no bootstrap answers', async () => {
    await bootstraps[1]?.app.stop();
    const third = processes.pop() as RunningPeerProcess;
    third.app.child.kill('SIGTERM');
    await third.app.exited();
    const again = await startPeerProcess(peerArgs(3));
    processes.push(again);
    const identity = await readIdentity(path.join(work.path, 'peer-1'));
    const credentials = clientCredentials(identity as NonNullable<typeof identity>);
    for (const peer of again.peers) {
      const client = createClient(diagnosticsV1.DiagnosticsServiceClient, peer.address, credentials);
      const { node } = await callUnary(client, 'getNodeInfo', { nodeId: Buffer.from(peer.nodeId, 'hex') });
      client.close();
      expect(node?.joined).toBe(true);
      expect(node?.successors.length).toBeGreaterThan(0);
    }
  });
});
