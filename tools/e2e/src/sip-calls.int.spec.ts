import { type AppProcess, binPath, spawnApp } from '@p2psip/testing';
import { waitForConsistentRing } from './support/diag-ring';
import { type RunningPeerProcess, startPeerProcess } from './support/peer-process';
import { runBin, runBinOk } from './support/run-bin';
import { OVERLAY as overlay, PASSWORD, type TestOverlay, startTestOverlay } from './support/test-overlay';

/** Four processes of five virtual peers: the 20-peer ring. */
const PROCESSES = 4;
const PER_PROCESS = 5;

interface ListenEventJson {
  event: string;
  state?: string;
  text?: string;
  from?: string;
  peer?: string;
  nodeId?: string;
  afterMs?: number;
}
interface CallEventJson {
  event: string;
  nodeId?: string;
  status?: number;
  answeredBy?: string;
  atMs?: number;
}

// Issue 6 from the outside: thin clients attached to different peers of a 20-peer ring reach each
// other by AOR — SIP-REGISTRATION lookup, AppAttach through the callee's attachment peer, SIP over
// mutual TLS — with `p2psip listen|message|call` as a user runs them.
describe('e2e — messages and calls between thin clients', () => {
  let testOverlay: TestOverlay;
  const processes: RunningPeerProcess[] = [];
  const listeners: AppProcess[] = [];
  const identity = (name: string): string => testOverlay.path(name);
  const peers = () => processes.flatMap((p) => p.peers);
  const peerAddress = (i: number): string => peers()[i % peers().length].address;

  /** `p2psip listen` as a long-running process; ready once it registered. */
  async function listen(who: string, attach: string[], ...extra: string[]): Promise<AppProcess> {
    const app = await spawnApp(binPath('p2psip'), {
      args: ['listen', '--identity', identity(who), ...attach, '--expires', '120', '--json', ...extra],
      readyWhen: (line) => line.includes('"event":"registered"'),
      readyTimeoutMs: 60_000,
    });
    listeners.push(app);
    return app;
  }

  const events = (app: AppProcess): ListenEventJson[] =>
    app.output.filter((l) => l.startsWith('{"event"')).map((l) => JSON.parse(l) as ListenEventJson);

  const waitForEvent = (app: AppProcess, match: (e: ListenEventJson) => boolean, timeoutMs = 20_000) =>
    app.waitForLine((line) => {
      if (!line.startsWith('{"event"')) return false;
      return match(JSON.parse(line) as ListenEventJson);
    }, timeoutMs);

  async function cli(
    ...args: string[]
  ): Promise<{ status: number | null; lines: CallEventJson[]; raw: string }> {
    const result = await runBin('p2psip', ...args, '--json');
    const lines = result.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as CallEventJson);
    return { status: result.status, lines, raw: result.stdout + result.stderr };
  }

  beforeAll(async () => {
    testOverlay = await startTestOverlay({
      name: 'sip-calls-e2e',
      users: ['alice', 'bob', 'carol', ...Array.from({ length: PROCESSES }, (_, i) => `peer${i + 1}`)],
      config: ['--max-node-ids', String(PER_PROCESS)],
    });
    const start = async (n: number): Promise<void> => {
      processes.push(
        await startPeerProcess(
          testOverlay.peerArgs(n, [
            ...['--count', String(PER_PROCESS), '--update-interval-ms', '2000'],
            ...(n === 1 ? ['--first'] : []),
          ]),
        ),
      );
    };
    await start(1);
    for (let n = 2; n <= PROCESSES; n++) await start(n);
    const { configUrl, caFile } = testOverlay;
    // bob holds two Node-IDs: his desk speaks as the first, his phone as the second (RFC 7904
    // keys registrations by Node-ID, so each device needs its own).
    for (const user of ['alice', 'bob', 'carol']) {
      await runBinOk(
        'p2psip',
        'enroll',
        ...['--config-url', configUrl, '--ca', caFile, '--identity', identity(user)],
        ...['--user', `${user}@${overlay}`, '--password', PASSWORD, '--node-ids', user === 'bob' ? '2' : '1'],
      );
    }
    await waitForConsistentRing(
      testOverlay.bootstrap.grpc,
      identity('peer1'),
      PROCESSES * PER_PROCESS,
      120_000,
    );
  });

  afterAll(async () => {
    await Promise.all(listeners.map((app) => app.stop()));
    await Promise.all(processes.map((p) => p.app.stop()));
    await testOverlay?.stop();
  });

  it('delivers a MESSAGE from alice to bob’s listen, attached to a peer of another process', async () => {
    const bob = await listen('bob', ['--peer', peerAddress(PER_PROCESS * 2)]);
    const sent = await cli(
      'message',
      `sip:bob@${overlay}`,
      'hello bob',
      ...['--identity', identity('alice'), '--peer', peerAddress(1)],
    );
    expect(sent.status).toBe(0);
    const arrived = await waitForEvent(bob, (e) => e.event === 'message');
    expect(JSON.parse(arrived)).toMatchObject({
      event: 'message',
      text: 'hello bob',
      from: `sip:alice@${overlay}`,
    });
  });

  it('completes INVITE / 180 / 200 / ACK / BYE from alice to bob', async () => {
    const bob = listeners[0];
    const result = await cli(
      'call',
      `sip:bob@${overlay}`,
      ...['--identity', identity('alice'), '--peer', peerAddress(3), '--hold-ms', '300'],
    );
    expect(result.status).toBe(0);
    const steps = result.lines.map((l) => l.event);
    expect(steps).toEqual(
      expect.arrayContaining(['ringing', 'answered', 'acked', 'bye', 'ended', 'summary']),
    );
    expect(result.lines.find((l) => l.event === 'bye')?.status).toBe(200);
    await waitForEvent(bob, (e) => e.event === 'call' && e.state === 'ended');
    const states = events(bob)
      .filter((e) => e.event === 'call')
      .map((e) => e.state);
    expect(states).toEqual(['ringing', 'answered', 'established', 'ended']);
  });

  it('rings both of bob’s devices; the first 200 wins and the other gets CANCEL', async () => {
    const bobDesk = listeners[0];
    const bobPhone = await listen(
      'bob',
      ['--peer', peerAddress(PER_PROCESS * 3 + 1)],
      ...['--device', '2', '--ring-ms', '4000'],
    );
    const result = await cli(
      'call',
      `sip:bob@${overlay}`,
      ...['--identity', identity('alice'), '--peer', peerAddress(2), '--hold-ms', '200'],
    );
    expect(result.status).toBe(0);
    const deskNodeId = events(bobDesk).find((e) => e.event === 'listening')?.nodeId;
    const phoneNodeId = events(bobPhone).find((e) => e.event === 'listening')?.nodeId;
    expect(result.lines.find((l) => l.event === 'summary')?.answeredBy).toBe(deskNodeId);
    expect(result.lines.filter((l) => l.event === 'ringing').map((l) => l.nodeId)).toEqual(
      expect.arrayContaining([deskNodeId, phoneNodeId]),
    );
    await waitForEvent(bobPhone, (e) => e.event === 'call' && e.state === 'cancelled');
  });

  it('re-attaches alice within 10 s when her attachment peer is killed, and bob can still call her', async () => {
    const alice = await listen('alice', ['--bootstrap', testOverlay.bootstrap.grpc]);
    const attachedTo = events(alice).find((e) => e.event === 'listening')?.peer;
    const victim = processes.find((p) => p.peers.some((peer) => peer.nodeId === attachedTo));
    if (!victim) throw new Error(`no process hosts alice's attachment peer ${attachedTo ?? '?'}`);
    const killedAt = Date.now();
    victim.app.child.kill('SIGKILL');
    await victim.app.exited();
    processes.splice(processes.indexOf(victim), 1);
    const reattached = JSON.parse(
      await waitForEvent(alice, (e) => e.event === 'reattached', 15_000),
    ) as ListenEventJson;
    await waitForEvent(alice, (e) => e.event === 'registered' && e.peer === reattached.peer, 15_000);
    const afterMs = Date.now() - killedAt;
    process.stdout.write(
      `alice re-attached to ${reattached.peer ?? '?'} and re-registered ${afterMs} ms after the kill\n`,
    );
    expect(afterMs).toBeLessThan(10_000);
    const result = await cli(
      'call',
      `sip:alice@${overlay}`,
      ...['--identity', identity('bob'), '--peer', peers()[0].address, '--hold-ms', '100'],
    );
    expect(result.status).toBe(0);
    expect(result.lines.find((l) => l.event === 'summary')?.answeredBy).toBe(
      events(alice).find((e) => e.event === 'listening')?.nodeId,
    );
  });

  it('reaches a client nobody can connect to through its attachment peer (relayed channel)', async () => {
    // carol offers no address in AppAttach (as a client behind NAT would): SIP then travels in
    // routed AppData messages through her attachment peer.
    const carol = await listen('carol', ['--peer', peers()[1].address], '--relay-only');
    const sent = await cli(
      'message',
      `sip:carol@${overlay}`,
      'hello carol',
      ...['--identity', identity('alice'), '--peer', peers()[peers().length - 1].address],
    );
    expect(sent.status).toBe(0);
    await waitForEvent(carol, (e) => e.event === 'message' && e.text === 'hello carol');
    const called = await cli(
      'call',
      `sip:carol@${overlay}`,
      ...['--identity', identity('alice'), '--peer', peers()[peers().length - 1].address, '--hold-ms', '100'],
    );
    expect(called.status).toBe(0);
    await waitForEvent(carol, (e) => e.event === 'call' && e.state === 'ended');
  });

  it('answers 4 for an AOR nobody registered', async () => {
    const result = await cli(
      'message',
      `sip:nobody@${overlay}`,
      'hi',
      ...['--identity', identity('alice'), '--peer', peers()[0].address],
    );
    expect(result.status).toBe(4);
  });
});
