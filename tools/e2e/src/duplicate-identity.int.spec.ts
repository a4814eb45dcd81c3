import { setTimeout as sleep } from 'node:timers/promises';
import { binPath, spawnApp } from '@p2psip/testing';
import { waitForConsistentRing } from './support/diag-ring';
import { type RunningPeerProcess, startPeerProcess } from './support/peer-process';
import { type TestOverlay, startTestOverlay } from './support/test-overlay';

// An operator who starts a second process with an identity already running gets a clear refusal:
// two processes of one certificate would both serve its Node-IDs.
describe('e2e — one identity run by two peer processes', () => {
  let overlay: TestOverlay;
  const processes: RunningPeerProcess[] = [];
  const peerArgs = (n: number, stateDir: string): string[] =>
    overlay.peerArgs(n, [
      '--count',
      '2',
      '--update-interval-ms',
      '1000',
      '--state-dir',
      overlay.path(stateDir),
    ]);

  beforeAll(async () => {
    overlay = await startTestOverlay({
      name: 'duplicate-identity-e2e',
      users: ['peer1', 'peer2'],
      config: ['--max-node-ids', '2'],
    });
    processes.push(await startPeerProcess([...peerArgs(1, 'state-1'), '--first']));
    processes.push(await startPeerProcess(peerArgs(2, 'state-2')));
    await waitForConsistentRing(overlay.bootstrap.grpc, overlay.path('peer1'), 4, 30_000);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.app.stop()));
    await overlay?.stop();
  });

  it('refuses to start the second one, naming the process that serves the Node-ID', async () => {
    const serving = processes[1]?.peers[0];
    const second = await spawnApp(binPath('p2psip-peer'), { args: ['run', ...peerArgs(2, 'state-2b')] });
    // Before the fix it went on retrying its join for ever: give up on it after 40 s.
    const giveUp = new AbortController();
    const exit = await Promise.race([
      second.exited(),
      sleep(40_000, 'still running', { signal: giveUp.signal }).catch(() => 'exited'),
    ]);
    giveUp.abort();
    if (exit === 'still running') await second.stop(0);
    const output = second.output.join('\n');
    expect(exit).toBe(1);
    expect(output).toContain('could not start');
    expect(output).toContain(
      `Node-ID ${serving?.nodeId} is already served by the peer at ${serving?.address}`,
    );
    const ring = await waitForConsistentRing(overlay.bootstrap.grpc, overlay.path('peer1'), 4, 30_000);
    expect(ring.nodes.map((node) => node.address).sort()).toEqual(
      processes.flatMap((p) => p.peers.map((peer) => peer.address)).sort(),
    );
  }, 60_000);

  it('starts it again once the first process is gone, even killed without leaving', async () => {
    const first = processes.pop() as RunningPeerProcess;
    first.app.child.kill('SIGKILL');
    await first.app.exited();
    processes.push(await startPeerProcess(peerArgs(2, 'state-2')));
    await waitForConsistentRing(overlay.bootstrap.grpc, overlay.path('peer1'), 4, 60_000);
  }, 120_000);
});
