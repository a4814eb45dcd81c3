import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type AppProcess, binPath, spawnApp, unusedUdpPort } from '@p2psip/testing';
import { Baresip } from './support/baresip';
import { waitForConsistentRing } from './support/diag-ring';
import { type RunningPeerProcess, startPeerProcess } from './support/peer-process';
import { runBinOk } from './support/run-bin';
import { type RunningSipp, SIPP_SCENARIOS, Sipp, assertSippSucceeded } from './support/sipp';
import { OVERLAY as domain, PASSWORD, type TestOverlay, startTestOverlay } from './support/test-overlay';

/** Two processes of four virtual peers: the two edges attach to peers of different processes. */
const PROCESSES = 2;
const PER_PROCESS = 4;

interface EdgeReady {
  event: 'edge-ready';
  listen: string[];
}
interface RunningEdge {
  readonly name: string;
  readonly app: AppProcess;
  /** `host:port` of its UDP listener. */
  readonly sipUdp: string;
}

// Issue 6 from the outside, with a phone no one here wrote: baresip (Debian) registers alice at
// edge A with Digest and calls bob, whose sipp UAS registered at edge B; the INVITE crosses the
// overlay, the call is established (200/ACK) and baresip's BYE ends it at the UAS.
describe('e2e — baresip calls a sipp UAS through two SIP edges', () => {
  let testOverlay: TestOverlay;
  let sipp: Sipp;
  let baresip: Baresip | undefined;
  let bobUas: RunningSipp | undefined;
  const processes: RunningPeerProcess[] = [];
  const edges: RunningEdge[] = [];
  const identity = (name: string): string => testOverlay.path(name);
  const peerAddress = (i: number): string => {
    const peers = processes.flatMap((p) => p.peers);
    return peers[i % peers.length].address;
  };
  const edgeA = (): RunningEdge => edges[0];
  const edgeB = (): RunningEdge => edges[1];

  async function startEdge(name: string, user: string, peer: string): Promise<RunningEdge> {
    const usersFile = testOverlay.path(`${name}-users.txt`);
    await writeFile(usersFile, `${user}@${domain} ${PASSWORD} ${identity(user)}\n`);
    const app = await spawnApp(binPath('p2psip'), {
      args: [
        ...['sip-edge', '--identity', identity(name), '--users', usersFile, '--domain', domain],
        ...['--listen', 'udp:127.0.0.1:0', '--listen', 'tcp:127.0.0.1:0', '--peer', peer, '--json'],
      ],
      readyWhen: (line) => line.includes('"event":"edge-ready"'),
      readyTimeoutMs: 60_000,
    });
    const ready = JSON.parse(app.output.find((l) => l.includes('"event":"edge-ready"')) ?? '{}') as EdgeReady;
    const udp = ready.listen.find((l) => l.startsWith('udp:'));
    if (!udp) throw new Error(`${name} does not listen on UDP: ${JSON.stringify(ready)}`);
    return { name, app, sipUdp: udp.slice('udp:'.length) };
  }

  const registeredAt = (edge: RunningEdge, user: string, timeoutMs: number): Promise<string> =>
    edge.app.waitForLine(
      (l) => l.includes('"event":"registered"') && l.includes(`sip:${user}@${domain}`),
      timeoutMs,
    );

  /** Runs a step; when it fails, adds what baresip and the edges saw (SIP trace, events). */
  async function explained<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      const edgeLines = edges.flatMap((edge) => edge.app.output.slice(-30).map((l) => `${edge.name}: ${l}`));
      throw new Error(
        [
          (error as Error).message,
          '--- baresip (SIP trace) ---',
          baresip?.output().slice(-12_000) ?? '(not started)',
          '--- baresip ctrl_tcp events ---',
          baresip?.events.map((e) => JSON.stringify(e)).join('\n') ?? '',
          '--- edges ---',
          edgeLines.join('\n'),
        ].join('\n'),
      );
    }
  }

  beforeAll(async () => {
    testOverlay = await startTestOverlay({
      name: 'baresip-e2e',
      users: [
        'edge1',
        'edge2',
        'alice',
        'bob',
        ...Array.from({ length: PROCESSES }, (_, i) => `peer${i + 1}`),
      ],
      config: ['--max-node-ids', String(PER_PROCESS)],
    });
    sipp = new Sipp(testOverlay.path('.'));
    for (let n = 1; n <= PROCESSES; n++) {
      processes.push(
        await startPeerProcess(
          testOverlay.peerArgs(n, [
            ...['--count', String(PER_PROCESS), '--update-interval-ms', '2000'],
            ...(n === 1 ? ['--first'] : []),
          ]),
        ),
      );
    }
    for (const user of ['edge1', 'edge2', 'alice', 'bob']) {
      await runBinOk(
        'p2psip',
        'enroll',
        ...['--config-url', testOverlay.configUrl, '--ca', testOverlay.caFile, '--identity', identity(user)],
        ...['--user', `${user}@${domain}`, '--password', PASSWORD],
      );
    }
    await waitForConsistentRing(
      testOverlay.bootstrap.grpc,
      identity('peer1'),
      PROCESSES * PER_PROCESS,
      120_000,
    );
    edges.push(await startEdge('edge1', 'alice', peerAddress(1)));
    edges.push(await startEdge('edge2', 'bob', peerAddress(PER_PROCESS + 1)));
  }, 300_000);

  afterAll(async () => {
    await baresip?.stop();
    await bobUas?.stop();
    await sipp?.stopAll();
    await Promise.all(edges.map((edge) => edge.app.stop()));
    await Promise.all(processes.map((p) => p.app.stop()));
    await testOverlay?.stop();
  });

  it('registers bob’s sipp UAS at edge B', async () => {
    const uasPort = await unusedUdpPort();
    // register-auth.xml binds bob to the UDP port it sends from (its Contact): the UAS's.
    const csv = await sipp.injectionFile('bob.csv', [
      ['bob', PASSWORD, `[authentication username=bob password=${PASSWORD}]`],
    ]);
    const registered = await sipp.run({
      name: 'register-bob',
      remote: edgeB().sipUdp,
      localPort: uasPort,
      args: [
        '-sf',
        path.join(SIPP_SCENARIOS, 'register-auth.xml'),
        '-inf',
        csv,
        '-key',
        'domain',
        domain,
        '-m',
        '1',
      ],
      timeoutS: 30,
    });
    assertSippSucceeded(registered, 1, 'REGISTER bob at edge B');
    await registeredAt(edgeB(), 'bob', 10_000);
    // One call, then it exits; -timeout (in Sipp) fails it if the call never comes.
    bobUas = await sipp.start({
      name: 'uas-bob',
      localPort: uasPort,
      args: ['-sn', 'uas', '-m', '1'],
      timeoutS: 180,
    });
  });

  it('registers baresip as alice at edge A with Digest', async () => {
    const dir = testOverlay.path('baresip-alice');
    await mkdir(dir, { recursive: true });
    baresip = await Baresip.start({
      dir,
      aor: `sip:alice@${domain}`,
      password: PASSWORD,
      outboundProxy: edgeA().sipUdp,
    });
    const phone = baresip;
    await explained(async () => {
      // baresip logs each account's REGISTER outcome, `alice@p2psip.test: {0/UDP/v4} 200 OK ()
      // [1 binding]` (its REGISTER_OK event may come before our ctrl_tcp connection is up); then
      // the edge says it stored the overlay registration.
      await phone.app.waitForLine((l) => /alice@p2psip\.test: \{\d+\/UDP\/v4\} 200 /.test(l), 30_000);
      await registeredAt(edgeA(), 'alice', 10_000);
    });
  });

  it('establishes baresip’s call to sip:bob@… at bob’s UAS and tears it down with BYE', async () => {
    const phone = baresip;
    const uas = bobUas;
    if (!phone || !uas) throw new Error('an earlier test failed: baresip or bob’s UAS is not running');
    await explained(async () => {
      await phone.command('dial', `sip:bob@${domain}`);
      // A call that fails ends in CALL_CLOSED with the final status as its param.
      const outcome = await phone.waitForEvent(
        (e) => e.type === 'CALL_ESTABLISHED' || e.type === 'CALL_CLOSED',
        30_000,
        'CALL_ESTABLISHED',
      );
      if (outcome.type === 'CALL_CLOSED') throw new Error(`baresip's call failed: ${outcome.param ?? '?'}`);
      expect(outcome).toMatchObject({ direction: 'outgoing', peeruri: `sip:bob@${domain}` });
      await phone.command('hangup');
      await phone.waitForEvent((e) => e.type === 'CALL_CLOSED', 10_000, 'CALL_CLOSED');
      // The built-in UAS counts its one call once it answered the BYE (so INVITE, ACK and BYE all
      // reached it), then exits with 0.
      await new Promise<void>((resolve, reject) => {
        if (uas.child.exitCode !== null || uas.child.signalCode !== null) return resolve();
        const timer = setTimeout(
          () => reject(new Error('bob’s UAS did not end its call within 20 s')),
          20_000,
        );
        uas.child.once('exit', () => (clearTimeout(timer), resolve()));
      });
      const result = await uas.stop();
      assertSippSucceeded(result, 1, 'bob’s UAS');
      expect(result.stats.incoming).toBe(1);
      expect(phone.output()).toMatch(/Call established: sip:bob@p2psip\.test/);
    });
  });
});
