import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AppProcess, type TempDir, binPath, createTempDir, spawnApp } from '@p2psip/testing';
import { type RunningBootstrap, startBootstrap } from './support/bootstrap-server';
import { waitForConsistentRing } from './support/diag-ring';
import { type RunningEnrollment, startEnrollment } from './support/enrollment-server';
import { type RunningPeerProcess, startPeerProcess } from './support/peer-process';
import { runBin, runBinOk } from './support/run-bin';

const overlay = 'p2psip.test';
const PROCESSES = 6;
const aor = (user: string): string => `${user}@${overlay}`;

interface DestinationJson {
  kind: string;
  id: string;
}
interface RegisterJson {
  event?: string;
  aor: string;
  nodeId: string;
  peer: string;
  registration: { type: string; uri?: string; destinations?: DestinationJson[] };
  expires: number;
}
interface LookupJson {
  aor: string;
  found: boolean;
  routes: number;
  entries: {
    aor: string;
    hop: number;
    nodeId: string;
    registration: { type: string; uri?: string; destinations?: DestinationJson[] } | null;
    remainingS: number;
    signer: string | null;
  }[];
  forwards: { from: string; to: string; hop: number }[];
  loops: { from: string; to: string; path: string[] }[];
  dropped: number;
}

// Issue 6, the registration slice, from the outside: real enrollment, bootstrap and peer processes,
// and `p2psip register|lookup` as a user runs them (RFC 7904 SIP-REGISTRATION).
describe('e2e — SIP registration through the p2psip CLI', () => {
  let work: TempDir;
  let enrollment: RunningEnrollment;
  let bootstrap: RunningBootstrap;
  const processes: RunningPeerProcess[] = [];
  const keepers: AppProcess[] = [];

  const identity = (name: string): string => path.join(work.path, name);
  const peers = () => processes.flatMap((p) => p.peers);
  const peerAddress = (i: number): string => peers()[i % peers().length].address;
  const peerNodeId = (i: number): string => peers()[i % peers().length].nodeId;

  async function register(who: string, name: string, via: number, ...extra: string[]): Promise<RegisterJson> {
    const out = await runBinOk(
      'p2psip',
      ...['register', name, '--identity', identity(who), '--peer', peerAddress(via), '--json'],
      ...extra,
    );
    return JSON.parse(out) as RegisterJson;
  }

  async function lookup(
    who: string,
    name: string,
    via: number,
  ): Promise<{ status: number | null } & LookupJson> {
    const result = await runBin(
      'p2psip',
      ...['lookup', name, '--identity', identity(who), '--peer', peerAddress(via), '--json'],
    );
    try {
      return { status: result.status, ...(JSON.parse(result.stdout) as LookupJson) };
    } catch {
      throw new Error(`lookup ${name} → ${result.status}\n${result.stderr}${result.stdout}`);
    }
  }

  beforeAll(async () => {
    work = await createTempDir('sip-registration-e2e');
    const caDir = path.join(work.path, 'ca');
    await runBinOk('p2psip-enrollment', 'init', '--overlay', overlay, '--dir', caDir);
    enrollment = await startEnrollment(caDir, ['--signing-workers', '1']);
    const users = [
      'bootstrap',
      'alice',
      'bob',
      'carol',
      ...Array.from({ length: PROCESSES }, (_, i) => `peer${i + 1}`),
    ];
    for (const user of users) {
      await runBinOk('p2psip-enrollment', 'user', 'add', aor(user), '--password', 'pw', '--dir', caDir);
    }
    const configUrl = `https://${enrollment.endpoints.https}/.well-known/reload-config`;
    const caFile = path.join(caDir, 'ca.pem');
    bootstrap = await startBootstrap([
      ...['--config-url', configUrl, '--ca', caFile, '--identity', identity('bootstrap')],
      ...['--user', aor('bootstrap'), '--password', 'pw', '--probe-interval-ms', '1000'],
    ]);
    await runBinOk('p2psip-enrollment', 'config', 'set', '--bootstrap', bootstrap.grpc, '--dir', caDir);
    const start = async (n: number): Promise<void> => {
      processes.push(
        await startPeerProcess([
          ...['--config-url', configUrl, '--ca', caFile, '--identity', identity(`peer${n}`)],
          ...['--user', aor(`peer${n}`), '--password', 'pw', '--update-interval-ms', '5000'],
          ...(n === 1 ? ['--first'] : []),
        ]),
      );
    };
    await start(1);
    for (let n = 2; n <= PROCESSES; n += 3) {
      await Promise.all([n, n + 1, n + 2].filter((m) => m <= PROCESSES).map(start));
    }
    for (const user of ['alice', 'bob', 'carol']) {
      await runBinOk(
        'p2psip',
        'enroll',
        ...['--config-url', configUrl, '--ca', caFile, '--identity', identity(user)],
        ...['--user', aor(user), '--password', 'pw'],
      );
    }
    await waitForConsistentRing(bootstrap.grpc, identity('peer1'), PROCESSES, 120_000);
  });

  afterAll(async () => {
    await Promise.all(keepers.map((k) => k.stop()));
    await Promise.all(processes.map((p) => p.app.stop()));
    await bootstrap?.app.stop();
    await enrollment?.app.stop();
    await work?.remove();
  });

  it('alice registers and bob finds her Node-ID and the [peer, client] destination list', async () => {
    const registered = await register('alice', `sip:${aor('alice')}`, 0);
    expect(registered.peer).toBe(peerNodeId(0));
    expect(registered.registration).toEqual({
      type: 'route',
      contactPrefs: '',
      destinations: [
        { kind: 'node', id: peerNodeId(0) },
        { kind: 'node', id: registered.nodeId },
      ],
    });
    const found = await lookup('bob', `sip:${aor('alice')}`, 3);
    expect(found.status).toBe(0);
    expect(found.found).toBe(true);
    expect(found.entries).toHaveLength(1);
    expect(found.entries[0]).toMatchObject({
      aor: aor('alice'),
      nodeId: registered.nodeId,
      registration: { type: 'route', destinations: registered.registration.destinations },
      signer: aor('alice'),
    });
    expect(found.entries[0].remainingS).toBeGreaterThan(3500);
    expect(found.entries[0].remainingS).toBeLessThanOrEqual(3600);
  });

  it('an AOR nobody registered exits 4', async () => {
    const result = await lookup('bob', `sip:${aor('nobody')}`, 1);
    expect(result).toMatchObject({ status: 4, found: false, entries: [] });
  });

  it('bob cannot register under alice’s AOR: refused here, and Forbidden by the overlay', async () => {
    const refused = await runBin(
      'p2psip',
      ...['register', aor('alice'), '--identity', identity('bob'), '--peer', peerAddress(2), '--json'],
    );
    expect(refused.status).toBe(1);
    expect((JSON.parse(refused.stdout) as { error: { code: string } }).error.code).toBe('AOR_NOT_OWNED');
    // The same store without the client's check: the responsible peer's USER-NODE-MATCH says no.
    const forbidden = await runBin(
      'p2psip',
      ...['store', aor('alice'), '--kind', 'SIP-REGISTRATION', '--value', 'hijack'],
      ...['--identity', identity('bob'), '--peer', peerAddress(2), '--json'],
    );
    expect(forbidden.status).toBe(1);
    expect((JSON.parse(forbidden.stdout) as { error: { code: string } }).error.code).toBe('RELOAD_FORBIDDEN');
  });

  it('follows URI forwarding alice → carol to carol’s registration', async () => {
    const carol = await register('carol', aor('carol'), 4);
    const forward = await register('alice', aor('alice'), 1, '--uri', `sip:${aor('carol')}`);
    expect(forward.registration).toEqual({ type: 'uri', uri: `sip:${aor('carol')}` });
    const found = await lookup('bob', aor('alice'), 5);
    expect(found.status).toBe(0);
    expect(found.forwards).toEqual([{ from: aor('alice'), to: aor('carol'), hop: 1 }]);
    expect(found.entries.map((e) => [e.aor, e.hop, e.registration?.type, e.nodeId])).toEqual([
      [aor('alice'), 0, 'uri', forward.nodeId],
      [aor('carol'), 1, 'route', carol.nodeId],
    ]);
    expect(found.routes).toBe(1);
  });

  it('reports a forwarding loop alice → bob → alice as a loop (exit 5) instead of looking up forever', async () => {
    await register('alice', aor('alice'), 2, '--uri', `sip:${aor('bob')}`);
    await register('bob', aor('bob'), 3, '--uri', `sip:${aor('alice')}`);
    const looped = await lookup('carol', aor('alice'), 0);
    expect(looped.status).toBe(5);
    expect(looped.found).toBe(false);
    expect(looped.loops).toEqual([
      { from: aor('bob'), to: aor('alice'), path: [aor('alice'), aor('bob'), aor('alice')] },
    ]);
    expect(looped.entries.map((e) => e.aor)).toEqual([aor('alice'), aor('bob')]);
  });

  it('--keep refreshes a 6 s registration (still found after 10 s) and removes it on SIGTERM', async () => {
    const keeper = await spawnApp(binPath('p2psip'), {
      args: ['register', aor('alice'), '--expires', '6', '--keep', '--json'].concat([
        '--identity',
        identity('alice'),
        '--peer',
        peerAddress(1),
      ]),
      readyWhen: (line) => line.includes('"event":"registered"'),
      readyTimeoutMs: 30_000,
    });
    keepers.push(keeper);
    const first = JSON.parse(
      keeper.output.find((l) => l.includes('"event":"registered"')) ?? '{}',
    ) as RegisterJson;
    expect(first.registration.type).toBe('route');
    // The point is time passing beyond the lifetime: 10 s > 6 s, so only refreshes keep it alive.
    await sleep(10_000);
    expect(keeper.output.filter((l) => l.includes('"event":"refreshed"')).length).toBeGreaterThanOrEqual(2);
    const alive = await lookup('bob', aor('alice'), 4);
    expect(alive.status).toBe(0);
    expect(alive.entries).toMatchObject([{ nodeId: first.nodeId, registration: { type: 'route' } }]);
    expect(alive.entries[0].remainingS).toBeGreaterThan(0);
    expect(alive.entries[0].remainingS).toBeLessThanOrEqual(6);

    keeper.child.kill('SIGTERM');
    expect(await keeper.exited()).toBe(0);
    expect(keeper.output.some((l) => l.includes('"event":"unregistered"'))).toBe(true);
    const gone = await lookup('bob', aor('alice'), 5);
    expect(gone).toMatchObject({ status: 4, found: false, entries: [] });
  });
});
