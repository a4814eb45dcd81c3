import path from 'node:path';
import { readIdentity } from '@p2psip/enrollment-client';
import { diagnosticsV1 } from '@p2psip/proto';
import { callUnary, clientCredentials, createClient } from '@p2psip/rpc';
import { type NatsServerHandle, type TempDir, createTempDir, startNatsServer } from '@p2psip/testing';
import { type RunningBootstrap, startBootstrap } from './support/bootstrap-server';
import { type RunningEnrollment, startEnrollment } from './support/enrollment-server';
import { type RunningPeerProcess, startPeerProcess } from './support/peer-process';
import { waitForConsistentRing } from './support/diag-ring';
import { runBinOk } from './support/run-bin';
import { waitFor } from './support/wait-for';

const overlay = 'p2psip.test';

// DESIGN.md §4: a revocation reaches the peers (NATS stream) and they close the links already open
// to the revoked certificate, so its holder drops out of their routing.
describe('e2e — revoking a peer’s certificate', () => {
  let work: TempDir;
  let nats: NatsServerHandle;
  let enrollment: RunningEnrollment;
  let bootstrap: RunningBootstrap;
  const processes: RunningPeerProcess[] = [];
  let dir: string;

  beforeAll(async () => {
    work = await createTempDir('revocation-e2e');
    nats = await startNatsServer();
    dir = path.join(work.path, 'ca');
    await runBinOk('p2psip-enrollment', 'init', '--overlay', overlay, '--dir', dir);
    enrollment = await startEnrollment(dir, ['--signing-workers', '1', '--nats-url', nats.url]);
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
    const configUrl = `https://${enrollment.endpoints.https}/.well-known/reload-config`;
    const caFile = path.join(dir, 'ca.pem');
    bootstrap = await startBootstrap([
      '--config-url',
      configUrl,
      '--ca',
      caFile,
      '--identity',
      path.join(work.path, 'bootstrap'),
      '--user',
      `bootstrap@${overlay}`,
      '--password',
      'pw',
      '--probe-interval-ms',
      '1000',
    ]);
    const peer = (n: number, extra: string[] = []) => [
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
      '--bootstrap',
      bootstrap.grpc,
      '--nats-url',
      nats.url,
      ...extra,
    ];
    processes.push(await startPeerProcess(peer(1, ['--first'])));
    processes.push(await startPeerProcess(peer(2)));
    await waitForConsistentRing(bootstrap.grpc, path.join(work.path, 'peer-1'), 4, 20_000);
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.app.stop()));
    await bootstrap?.app.stop();
    await enrollment?.app.stop();
    await nats?.stop();
    await work?.remove();
  });

  it('drops the revoked peers from the others’ neighbour tables within seconds', async () => {
    const [kept, revoked] = processes as [RunningPeerProcess, RunningPeerProcess];
    const revokedIds = new Set(revoked.peers.map((p) => p.nodeId));
    await runBinOk(
      'p2psip-enrollment',
      'cert',
      'revoke',
      revoked.peers[0]?.nodeId ?? '',
      '--reason',
      'key_compromise',
      '--dir',
      dir,
    );
    const identity = await readIdentity(path.join(work.path, 'peer-1'));
    const credentials = clientCredentials(identity as NonNullable<typeof identity>);
    await waitFor(async () => {
      for (const peer of kept.peers) {
        const client = createClient(diagnosticsV1.DiagnosticsServiceClient, peer.address, credentials);
        const { node } = await callUnary(client, 'getNodeInfo', { nodeId: Buffer.from(peer.nodeId, 'hex') });
        client.close();
        const neighbours = [...(node?.successors ?? []), ...(node?.predecessors ?? [])].map((n) =>
          Buffer.from(n.nodeId).toString('hex'),
        );
        if (neighbours.some((id) => revokedIds.has(id))) return false;
      }
      return true;
    }, 15_000).catch((error: unknown) => {
      console.log(
        kept.app.output
          .filter((line) => /revoked|level":[45]0/.test(line))
          .slice(-10)
          .join('\n'),
      );
      console.log(
        enrollment.app.output
          .filter((line) => /revok|NATS|nats/.test(line))
          .slice(-10)
          .join('\n'),
      );
      throw error;
    });
  });
});
