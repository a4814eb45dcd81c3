import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { obtainIdentity } from '@p2psip/enrollment-client';
import { type AppProcess, binPath, spawnApp, unusedUdpPort } from '@p2psip/testing';
import { mutatedSipMessages } from '@p2psip/sip/testing';
import { waitForConsistentRing } from './support/diag-ring';
import { type RunningPeerProcess, startPeerProcess } from './support/peer-process';
import { runBin, runBinOk } from './support/run-bin';
import { optionsPing, sendDatagrams } from './support/sip-udp';
import {
  type RunningSipp,
  SIPP_SCENARIOS,
  Sipp,
  type SippResult,
  assertSippSucceeded,
  rttSummary,
} from './support/sipp';
import { OVERLAY as domain, PASSWORD, type TestOverlay, startTestOverlay } from './support/test-overlay';
import { waitFor } from './support/wait-for';

/** Four processes of four virtual peers: a 16-peer ring. */
const PROCESSES = 4;
const PER_PROCESS = 4;
/** Users registered from one CSV (the issue asks for 500: E2E_EDGE_USERS=500). */
const LOAD_USERS = Number(process.env['E2E_EDGE_USERS'] ?? 50);
const CALLS = 100;
const CALL_RATE = 20;
const FUZZ_MESSAGES = 10_000;
const FUZZ_SEED = 6;
/** Enrollments at once: the enrollment server hashes each password with scrypt. */
const ENROLL_CONCURRENCY = 6;

const loadUser = (i: number): string => `u${String(i + 1).padStart(4, '0')}`;

interface EdgeReady {
  event: 'edge-ready';
  listen: string[];
  nodeId: string;
  peer: string;
  /** host:port of the edge's /metrics, /healthz and /readyz. */
  metrics: string;
}
interface RunningEdge {
  readonly name: string;
  readonly app: AppProcess;
  readonly ready: EdgeReady;
  readonly udp: { host: string; port: number };
  readonly tcp: { host: string; port: number };
  /** `host:port` of the UDP listener, as sipp takes it. */
  readonly sipUdp: string;
  readonly sipTcp: string;
}
interface EdgeEventJson {
  event: string;
  aor?: string;
}
interface LookupJson {
  aor: string;
  found: boolean;
  routes: number;
  entries: { nodeId: string; signer: string | null; remainingS: number }[];
}

/** Runs `fn` over `items`, `concurrency` at a time. */
async function inBatches<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

// Issue 6 from the outside, the SIP edge: unmodified SIP user agents (sipp, Debian's sip-tester)
// register at one `p2psip sip-edge` with Digest and call phones registered at another edge, through
// a 16-peer overlay; the edge also takes a fuzz corpus of broken SIP without falling over.
describe('e2e — the SIP edge for standard phones (sipp)', () => {
  let testOverlay: TestOverlay;
  let sipp: Sipp;
  const processes: RunningPeerProcess[] = [];
  const edges: RunningEdge[] = [];
  let bobUas: RunningSipp | undefined;
  const identity = (name: string): string => testOverlay.path(name);
  const peers = () => processes.flatMap((p) => p.peers);
  const peerAddress = (i: number): string => peers()[i % peers().length].address;
  const loadUsers = Array.from({ length: LOAD_USERS }, (_, i) => loadUser(i));

  /** Edge A serves alice (the callers); edge B serves bob and the load users. */
  const edgeA = (): RunningEdge => edges[0];
  const edgeB = (): RunningEdge => edges[1];

  async function enroll(user: string): Promise<void> {
    await runBinOk(
      'p2psip',
      'enroll',
      ...['--config-url', testOverlay.configUrl, '--ca', testOverlay.caFile, '--identity', identity(user)],
      ...['--user', `${user}@${domain}`, '--password', PASSWORD],
    );
  }

  async function startEdge(name: string, users: readonly string[], peer: string): Promise<RunningEdge> {
    const usersFile = testOverlay.path(`${name}-users.txt`);
    await writeFile(
      usersFile,
      [
        `# ${name}: <user@domain> <password> <identity-dir>`,
        ...users.map((user) => `${user}@${domain} ${PASSWORD} ${identity(user)}`),
        '',
      ].join('\n'),
    );
    const app = await spawnApp(binPath('p2psip'), {
      args: [
        ...['sip-edge', '--identity', identity(name), '--users', usersFile, '--domain', domain],
        ...['--listen', 'udp:127.0.0.1:0', '--listen', 'tcp:127.0.0.1:0', '--peer', peer, '--json'],
      ],
      readyWhen: (line) => line.includes('"event":"edge-ready"'),
      readyTimeoutMs: 60_000,
    });
    const ready = JSON.parse(app.output.find((l) => l.includes('"event":"edge-ready"')) ?? '{}') as EdgeReady;
    const listener = (transport: string) => {
      const spec = ready.listen.find((l) => l.startsWith(`${transport}:`));
      const match = spec ? /^\w+:(.+):(\d+)$/.exec(spec) : null;
      if (!match) throw new Error(`${name} does not listen on ${transport}: ${JSON.stringify(ready)}`);
      return { host: match[1], port: Number(match[2]) };
    };
    const udp = listener('udp');
    const tcp = listener('tcp');
    return {
      name,
      app,
      ready,
      udp,
      tcp,
      sipUdp: `${udp.host}:${udp.port}`,
      sipTcp: `${tcp.host}:${tcp.port}`,
    };
  }

  /** assertSippSucceeded, with the edges' own words (besides `registered` events) on failure. */
  function expectSipp(result: SippResult, calls: number, what: string): void {
    try {
      assertSippSucceeded(result, calls, what);
    } catch (error) {
      const lines = edges.flatMap((edge) =>
        edge.app.output
          .filter((line) => !line.includes('"event":"registered"'))
          .slice(-25)
          .map((line) => `${edge.name}: ${line}`),
      );
      throw new Error(
        `${(error as Error).message}\n--- edge output (registered events left out) ---\n${lines.join('\n')}`,
      );
    }
  }

  const edgeEvents = (edge: RunningEdge): EdgeEventJson[] =>
    edge.app.output.filter((l) => l.startsWith('{"event"')).map((l) => JSON.parse(l) as EdgeEventJson);

  const registeredAors = (edge: RunningEdge): Set<string> =>
    new Set(
      edgeEvents(edge)
        .filter((e) => e.event === 'registered')
        .map((e) => e.aor ?? ''),
    );

  async function lookup(user: string): Promise<{ status: number | null } & LookupJson> {
    const result = await runBin(
      'p2psip',
      ...['lookup', `sip:${user}@${domain}`, '--identity', identity('alice'), '--peer', peerAddress(5)],
      '--json',
    );
    try {
      return { status: result.status, ...(JSON.parse(result.stdout) as LookupJson) };
    } catch {
      throw new Error(`lookup ${user} → ${result.status}\n${result.stderr}${result.stdout}`);
    }
  }

  /** sipp's REGISTER-with-Digest scenario for `users`, from one UDP port (the Contact's). */
  async function registerWithSipp(
    name: string,
    edge: string,
    users: readonly string[],
    extra: { localPort?: number; tcp?: boolean } = {},
  ): Promise<SippResult> {
    const csv = await sipp.injectionFile(
      `${name}.csv`,
      users.map((user) => [user, PASSWORD, `[authentication username=${user} password=${PASSWORD}]`]),
    );
    return sipp.run({
      name,
      remote: edge,
      localPort: extra.localPort,
      args: [
        ...['-sf', path.join(SIPP_SCENARIOS, 'register-auth.xml'), '-inf', csv, '-key', 'domain', domain],
        ...['-m', String(users.length), '-r', '100', '-l', '50'],
        ...(extra.tcp ? ['-t', 't1'] : []),
      ],
      timeoutS: 30 + Math.ceil(users.length / 10),
    });
  }

  /** The built-in UAC: `calls` calls to bob through edge A (Request-URI sip:bob@<edge A>). */
  function callBob(name: string, calls: number, rate: number): Promise<SippResult> {
    return sipp.run({
      name,
      remote: edgeA().sipUdp,
      args: ['-sn', 'uac', '-s', 'bob', '-m', String(calls), '-r', String(rate), '-recv_timeout', '10000'],
      timeoutS: 30 + Math.ceil(calls / rate),
    });
  }

  beforeAll(async () => {
    testOverlay = await startTestOverlay({
      name: 'sip-edge-e2e',
      users: [
        'edge1',
        'edge2',
        'alice',
        'bob',
        ...Array.from({ length: PROCESSES }, (_, i) => `peer${i + 1}`),
      ],
      // Load users register themselves on first enrollment: one `user add` process each is slower.
      config: ['--max-node-ids', String(PER_PROCESS), '--self-registration', 'on'],
    });
    sipp = new Sipp(testOverlay.path('.'));
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
    const enrollStarted = Date.now();
    await Promise.all(['edge1', 'edge2', 'alice', 'bob'].map(enroll));
    // The load users get the same identity dirs through the library `p2psip enroll` runs, without
    // a process each (hundreds of them would dominate the run on a 2-core machine).
    const caPem = await readFile(testOverlay.caFile, 'utf8');
    await inBatches(loadUsers, ENROLL_CONCURRENCY, async (user) => {
      await obtainIdentity({
        dir: identity(user),
        caPem,
        enrollmentUrl: `https://${testOverlay.enrollment.endpoints.https}/enroll`,
        userName: `${user}@${domain}`,
        password: PASSWORD,
      });
    });
    process.stdout.write(`enrolled ${4 + LOAD_USERS} identities in ${Date.now() - enrollStarted} ms\n`);
    await waitForConsistentRing(
      testOverlay.bootstrap.grpc,
      identity('peer1'),
      PROCESSES * PER_PROCESS,
      120_000,
    );
    // The two edges attach to peers of different processes.
    edges.push(await startEdge('edge1', ['alice'], peerAddress(1)));
    edges.push(await startEdge('edge2', ['bob', ...loadUsers], peerAddress(PER_PROCESS * 2 + 1)));
  }, 600_000);

  afterAll(async () => {
    await bobUas?.stop();
    await sipp?.stopAll();
    await Promise.all(edges.map((edge) => edge.app.stop()));
    await Promise.all(processes.map((p) => p.app.stop()));
    await testOverlay?.stop();
  });

  it('registers bob’s sipp UAS at edge B with Digest, and p2psip lookup finds bob', async () => {
    const uasPort = await unusedUdpPort();
    const registered = await registerWithSipp('register-bob', edgeB().sipUdp, ['bob'], {
      localPort: uasPort,
    });
    expectSipp(registered, 1, 'REGISTER bob at edge B');
    await edgeB().app.waitForLine((l) => l.includes('"event":"registered"') && l.includes(`bob@${domain}`));
    // The UAS answers on the port its REGISTER gave as Contact; it runs until the spec ends.
    bobUas = await sipp.start({ name: 'uas-bob', localPort: uasPort, args: ['-sn', 'uas'], timeoutS: 600 });
    const found = await lookup('bob');
    expect(found.status).toBe(0);
    expect(found.found).toBe(true);
    expect(found.entries.length).toBeGreaterThanOrEqual(1);
    expect(found.entries.map((e) => e.signer)).toContain(`bob@${domain}`);
    // The edge's ops endpoint: ready while attached, and bob's overlay store timed.
    const ops = `http://${edgeB().ready.metrics}`;
    expect((await fetch(`${ops}/readyz`, { signal: AbortSignal.timeout(5000) })).status).toBe(200);
    const metrics = await (await fetch(`${ops}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    expect(metrics).toMatch(
      /p2psip_edge_overlay_store_seconds_count\{operation="store",outcome="ok"\} [1-9]/,
    );
    expect(metrics).toMatch(/p2psip_edge_events_total\{event="registered"\} [1-9]/);
  });

  it(`completes ${CALLS} sipp calls from edge A to bob’s UAS at edge B with 0 failed`, async () => {
    if (!bobUas) throw new Error('bob’s UAS is not running: the registration test failed');
    const uas = bobUas;
    const result = await callBob('uac-100', CALLS, CALL_RATE);
    process.stdout.write(
      `sipp calls A→B: ${result.stats.successful}/${CALLS} successful, ${result.stats.failed} failed, ` +
        `${result.stats.retransmissions} retransmissions, INVITE→200 ${rttSummary(result.rttMs)}, ` +
        `${result.stats.elapsedS} s at ${CALL_RATE} calls/s\n`,
    );
    expectSipp(result, CALLS, `${CALLS} calls to bob via edge A`);
    // Every INVITE reached bob's UAS (not an answer made up on the way).
    await waitFor(
      async () => ((await uas.stats())?.incoming ?? 0) >= CALLS,
      10_000,
      'the UAS saw every call',
    );
  });

  it('registers alice over TCP at edge A', async () => {
    const result = await registerWithSipp('register-alice-tcp', edgeA().sipTcp, ['alice'], { tcp: true });
    expectSipp(result, 1, 'REGISTER alice over TCP at edge A');
    await edgeA().app.waitForLine((l) => l.includes('"event":"registered"') && l.includes(`alice@${domain}`));
  });

  it(`registers ${LOAD_USERS} users from a CSV at edge B with 0 failures, and p2psip lookup finds them`, async () => {
    const started = Date.now();
    const result = await registerWithSipp('register-load', edgeB().sipUdp, loadUsers);
    const events = new Map<string, number>();
    for (const e of edgeEvents(edgeB())) events.set(e.event, (events.get(e.event) ?? 0) + 1);
    process.stdout.write(
      `sipp REGISTER ×${LOAD_USERS} at edge B: ${result.stats.successful} successful, ${result.stats.failed} failed, ` +
        `${result.stats.retransmissions} retransmissions, REGISTER→200 (with the 401) ${rttSummary(result.rttMs)}, ` +
        `${Date.now() - started} ms in all; edge B events: ${[...events].map(([e, n]) => `${e}×${n}`).join(' ')}\n`,
    );
    expectSipp(result, LOAD_USERS, `REGISTER ${LOAD_USERS} users at edge B`);
    await waitFor(
      async () => loadUsers.every((user) => registeredAors(edgeB()).has(`sip:${user}@${domain}`)),
      10_000,
      `a registered event for each of the ${LOAD_USERS} users`,
    );
    const sample = [...new Set([0, 1, Math.floor(LOAD_USERS / 2), LOAD_USERS - 2, LOAD_USERS - 1])]
      .filter((i) => i >= 0 && i < LOAD_USERS)
      .map(loadUser);
    const found = await Promise.all(sample.map(lookup));
    expect(found.map((f) => ({ aor: f.aor.replace(/^sip:/, ''), status: f.status, found: f.found }))).toEqual(
      sample.map((user) => ({ aor: `${user}@${domain}`, status: 0, found: true })),
    );
    expect(found.map((f) => f.entries.map((e) => e.signer))).toEqual(
      sample.map((user) => [`${user}@${domain}`]),
    );
  });

  it(`takes ${FUZZ_MESSAGES} mutated SIP messages on UDP, answers 400s, and still answers OPTIONS and completes a call`, async () => {
    const inputs = mutatedSipMessages(FUZZ_SEED, FUZZ_MESSAGES);
    const started = Date.now();
    const tally = await sendDatagrams(edgeA().udp, inputs);
    const byStatus = [...tally.byStatus.entries()].sort(([a], [b]) => a - b);
    process.stdout.write(
      `fuzz seed ${FUZZ_SEED}: ${tally.sent} sent (${tally.tooLarge} too large for UDP) in ${Date.now() - started} ms; ` +
        `${tally.responses} answers: ${byStatus.map(([code, n]) => `${code}×${n}`).join(' ')}` +
        `${tally.other ? `, ${tally.other} not SIP responses` : ''}\n`,
    );
    if (tally.other > 0) process.stdout.write(`not responses: ${tally.otherFirstLines.join(' | ')}\n`);
    if (edgeA().app.child.exitCode !== null || edgeA().app.child.signalCode !== null) {
      throw new Error(
        `edge A died under the fuzz corpus (exit ${edgeA().app.child.exitCode ?? edgeA().app.child.signalCode})\n` +
          edgeA().app.output.slice(-40).join('\n'),
      );
    }
    expect(tally.byStatus.get(400) ?? 0).toBeGreaterThan(0);
    expect(await optionsPing(edgeA().udp, domain)).toMatch(/^SIP\/2\.0 \d{3} /);
    const call = await callBob('uac-after-fuzz', 3, 10);
    expectSipp(call, 3, 'calls to bob via edge A after the fuzz corpus');
  });
});
