import { type RunningPeerProcess, startPeerProcess } from './support/peer-process';
import { diagRing, waitForConsistentRing } from './support/diag-ring';
import { runBinOk } from './support/run-bin';
import { type TestOverlay, startTestOverlay } from './support/test-overlay';

const PER_PROCESS = 4;

// The overlay as operators see it: peer processes hosting virtual peers over gRPC/mTLS, checked
// from outside with `p2psip diag ring` and `p2psip diag route`.
describe('e2e — the Chord-reload ring over gRPC', () => {
  let overlay: TestOverlay;
  let bootstrap: TestOverlay['bootstrap'];
  const processes: RunningPeerProcess[] = [];

  const identityDir = (): string => overlay.path('peer1');
  const peerArgs = (n: number, extra: string[] = []): string[] =>
    overlay.peerArgs(n, ['--count', String(PER_PROCESS), '--update-interval-ms', '1000', ...extra]);

  beforeAll(async () => {
    overlay = await startTestOverlay({
      name: 'ring-e2e',
      users: ['peer1', 'peer2', 'peer3'],
      config: ['--max-node-ids', '16'],
    });
    bootstrap = overlay.bootstrap;
    processes.push(await startPeerProcess(peerArgs(1, ['--first'])));
    processes.push(...(await Promise.all([startPeerProcess(peerArgs(2)), startPeerProcess(peerArgs(3))])));
  });

  afterAll(async () => {
    await Promise.all(processes.map((process) => process.app.stop()));
    await overlay?.stop();
  });

  it('forms one ring whose links match the sorted Node-IDs', async () => {
    const report = await waitForConsistentRing(bootstrap.grpc, identityDir(), 3 * PER_PROCESS, 30_000);
    const ids = report.nodes.map((node) => node.nodeId);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(processes.flatMap((p) => p.peers.map((peer) => peer.nodeId)))).toEqual(new Set(ids));
  });

  it('carries the links between two processes on one trunk (two if both dialled at once)', async () => {
    // Joins name their admitting peer's Node-ID, so a process joining through several peers of
    // another process reuses the trunk to it instead of dialling each peer's port (one trunk per
    // joining peer before). One spare: on a loaded machine a link may not wait (2 s at most) for a
    // trunk still being identified and dial its own. ring.spec and link-trunks.int.spec prove the
    // reuse itself deterministically.
    const pairs = processes.length - 1;
    for (const process of processes) {
      const text = await (await fetch(`http://${process.metrics}/metrics`)).text();
      const trunks = Number(/^p2psip_peer_trunks (\d+)$/m.exec(text)?.[1]);
      expect(trunks).toBeGreaterThanOrEqual(pairs);
      expect(trunks).toBeLessThanOrEqual(2 * pairs + 1);
    }
  });

  it('routes to the peer responsible for an id (the first Node-ID at or after it)', async () => {
    const ids = (await diagRing(bootstrap.grpc, identityDir())).nodes.map((node) => node.nodeId);
    for (let i = 0; i < 10; i++) {
      const target = Array.from(
        { length: 32 },
        () => '0123456789abcdef'[Math.floor(Math.random() * 16)],
      ).join('');
      const result = await runBinOk(
        'p2psip',
        'diag',
        'route',
        target,
        '--bootstrap',
        bootstrap.grpc,
        '--identity',
        identityDir(),
        '--json',
      );
      const route = JSON.parse(result) as {
        hops: { nodeId: string; responsible: boolean }[];
        from: { nodeId: string };
      };
      const responsible = ids.find((id) => id >= target) ?? ids[0];
      const last = route.hops.at(-1)?.nodeId ?? route.from.nodeId;
      expect(last).toBe(responsible);
    }
  });

  it('heals after kill -9 of a whole peer process', async () => {
    const victim = processes.pop() as RunningPeerProcess;
    victim.app.child.kill('SIGKILL');
    await victim.app.exited();
    await waitForConsistentRing(bootstrap.grpc, identityDir(), 2 * PER_PROCESS, 15_000);
  });

  it('repairs through Leave when a peer process is stopped with SIGTERM', async () => {
    const leaving = processes.pop() as RunningPeerProcess;
    const started = Date.now();
    leaving.app.child.kill('SIGTERM');
    expect(await leaving.app.exited()).toBe(0);
    await waitForConsistentRing(bootstrap.grpc, identityDir(), PER_PROCESS, 5_000);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
