import path from 'node:path';
import { readIdentity } from '@p2psip/enrollment-client';
import { idToBytes, parseCertificate, resourceIdOf } from '@p2psip/identity';
import { LmdbValueEnvironment } from '@p2psip/persistence';
import { diagnosticsV1 } from '@p2psip/proto';
import { callUnary, clientCredentials, createClient } from '@p2psip/rpc';
import { waitForConsistentRing } from './support/diag-ring';
import { type RunningPeerProcess, startPeerProcess } from './support/peer-process';
import { runBin, runBinOk } from './support/run-bin';
import { OVERLAY as overlay, type TestOverlay, startTestOverlay } from './support/test-overlay';
import { waitFor } from './support/wait-for';

const SINGLE = '0xf0000001';
const ARRAY = '0xf0000002';
const DICTIONARY = '0xf0000003';
/**
 * Single-peer processes, so that the responsible peer and its successor can be killed alone. CI
 * runs 8; E2E_STORAGE_PEERS=30 runs the 30-peer ring.
 */
const PROCESSES = Number(process.env.E2E_STORAGE_PEERS ?? 8);
const HOLD_DOWN_MS = 3000;

interface StoreJson {
  resourceId: string;
  generation: number;
  responsible: string;
  replicas: string[];
}
interface FetchJson {
  values: {
    index?: number;
    key?: string;
    exists: boolean;
    value: string;
    valueHex: string;
    signer: string | null;
  }[];
  dropped: number;
  responder: string;
}
interface StatJson {
  responsible: string;
  copies: number;
  replicas: { nodeId: string; holds: boolean }[];
}

// Issue 5 from the outside: real enrollment, bootstrap and peer processes over gRPC/mTLS, and the
// `p2psip` CLI as a user runs it (enroll, store, fetch, stat).
describe('e2e — overlay storage through the p2psip CLI', () => {
  let testOverlay: TestOverlay;
  let bootstrap: TestOverlay['bootstrap'];
  const processes: RunningPeerProcess[] = [];
  /** Which peerN identity each process runs, for restarts. */
  const peerNumber = new Map<RunningPeerProcess, number>();
  const peerArgs = (n: number, options = { first: n === 1 }): string[] =>
    testOverlay.peerArgs(n, [
      ...['--update-interval-ms', '5000', '--replica-hold-down-ms', String(HOLD_DOWN_MS)],
      ...(options.first ? ['--first'] : []),
    ]);

  const identity = (name: string): string => testOverlay.path(name);
  const peerAddress = (i: number): string => {
    const peers = processes.flatMap((p) => p.peers);
    return peers[i % peers.length].address;
  };

  async function cli<T>(...args: string[]): Promise<T> {
    return JSON.parse(await runBinOk('p2psip', ...args, '--json')) as T;
  }

  async function cliError(
    ...args: string[]
  ): Promise<{ status: number | null; code: string; message: string }> {
    const result = await runBin('p2psip', ...args, '--json');
    const { error } = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    return { status: result.status, ...error };
  }

  const store = (who: string, name: string, kind: string, via: number, ...extra: string[]) =>
    cli<StoreJson>(
      'store',
      name,
      '--kind',
      kind,
      '--identity',
      identity(who),
      '--peer',
      peerAddress(via),
      ...extra,
    );
  const fetch = (who: string, name: string, kind: string, via: number, ...extra: string[]) =>
    cli<FetchJson>(
      'fetch',
      name,
      '--kind',
      kind,
      '--identity',
      identity(who),
      '--peer',
      peerAddress(via),
      ...extra,
    );

  beforeAll(async () => {
    testOverlay = await startTestOverlay({
      name: 'storage-e2e',
      users: ['alice', 'bob', ...Array.from({ length: PROCESSES }, (_, i) => `peer${i + 1}`)],
      config: [
        '--kind',
        `${SINGLE}:SINGLE:USER-MATCH:1:64`,
        `${ARRAY}:ARRAY:USER-MATCH:8:64`,
        `${DICTIONARY}:DICTIONARY:USER-MATCH:32:64`,
      ],
    });
    bootstrap = testOverlay.bootstrap;
    const { configUrl, caFile } = testOverlay;
    const start = async (n: number): Promise<void> => {
      const process = await startPeerProcess(peerArgs(n));
      peerNumber.set(process, n);
      processes.push(process);
    };
    await start(1);
    // A few at a time: many node processes starting at once on 2 cores only slow each other down.
    for (let n = 2; n <= PROCESSES; n += 3) {
      await Promise.all([n, n + 1, n + 2].filter((m) => m <= PROCESSES).map(start));
    }
    for (const user of ['alice', 'bob']) {
      await runBinOk(
        'p2psip',
        'enroll',
        ...['--config-url', configUrl, '--ca', caFile, '--identity', identity(user)],
        ...['--user', `${user}@${overlay}`, '--password', 'pw'],
      );
    }
    await waitForConsistentRing(bootstrap.grpc, identity('peer1'), PROCESSES, 120_000);
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.app.stop()));
    await testOverlay?.stop();
  });

  it('round-trips each data model through different peers, with two replicas', async () => {
    const single = await store('alice', `alice@${overlay}`, SINGLE, 0, '--value', 'hello');
    expect(single.replicas).toHaveLength(2);
    expect((await fetch('bob', `alice@${overlay}`, SINGLE, 5)).values).toMatchObject([
      { exists: true, value: 'hello', signer: `alice@${overlay}` },
    ]);
    await store('alice', `alice@${overlay}`, ARRAY, 1, '--value', 'first');
    await store('alice', `alice@${overlay}`, ARRAY, 2, '--value', 'second');
    await store('alice', `alice@${overlay}`, ARRAY, 3, '--value', 'sixth', '--index', '5');
    const array = await fetch('bob', `alice@${overlay}`, ARRAY, 7);
    expect(array.values.map((v) => [v.index, v.exists, v.value])).toEqual([
      [0, true, 'first'],
      [1, true, 'second'],
      [2, false, ''],
      [3, false, ''],
      [4, false, ''],
      [5, true, 'sixth'],
    ]);
    await store('alice', `alice@${overlay}`, DICTIONARY, 4, '--value', 'v1', '--key', 'k1');
    await store('alice', `alice@${overlay}`, DICTIONARY, 8, '--value', 'v2', '--key', 'k2');
    const dictionary = await fetch('bob', `alice@${overlay}`, DICTIONARY, 9);
    expect(dictionary.values.map((v) => [Buffer.from(v.key ?? '', 'hex').toString(), v.value])).toEqual([
      ['k1', 'v1'],
      ['k2', 'v2'],
    ]);
    const one = await fetch('bob', `alice@${overlay}`, DICTIONARY, 10, '--key', 'k2');
    expect(one.values.map((v) => v.value)).toEqual(['v2']);
    // Removal: exists = false for the key.
    await store('alice', `alice@${overlay}`, DICTIONARY, 11, '--remove', '--key', 'k1');
    const after = await fetch('bob', `alice@${overlay}`, DICTIONARY, 0, '--key', 'k1');
    expect(after.values).toMatchObject([{ exists: false }]);
  });

  it('peers publish their certificate on join: CERTIFICATE_BY_USER at H(user name) holds it', async () => {
    let published: FetchJson['values'] = [];
    await waitFor(
      async () => {
        published = (await fetch('alice', `peer3@${overlay}`, 'CERTIFICATE_BY_USER', 1)).values;
        return published.some((v) => v.exists);
      },
      30_000,
      'peer3’s certificate in the overlay',
    );
    const certificate = parseCertificate(Buffer.from(published[0].valueHex, 'hex'));
    expect(certificate.userName).toBe(`peer3@${overlay}`);
    expect(published[0].signer).toBe(`peer3@${overlay}`);
  });

  it('refuses forbidden, too large, too old and stale-generation stores with RELOAD’s codes', async () => {
    const forbidden = await cliError(
      ...['store', `bob@${overlay}`, '--kind', SINGLE, '--value', 'mine', '--identity', identity('alice')],
      ...['--peer', peerAddress(2)],
    );
    expect(forbidden).toMatchObject({ status: 1, code: 'RELOAD_FORBIDDEN' });
    const tooLarge = await cliError(
      ...[
        'store',
        `alice@${overlay}`,
        '--kind',
        SINGLE,
        '--value',
        'x'.repeat(65),
        '--identity',
        identity('alice'),
      ],
      ...['--peer', peerAddress(3)],
    );
    expect(tooLarge).toMatchObject({ status: 1, code: 'RELOAD_DATA_TOO_LARGE' });
    const unknown = await cliError(
      ...[
        'store',
        `alice@${overlay}`,
        '--kind',
        '0xf00000aa',
        '--value',
        'x',
        '--identity',
        identity('alice'),
      ],
      ...['--peer', peerAddress(3)],
    );
    expect(unknown).toMatchObject({ status: 1, code: 'UNKNOWN_KIND' });

    const first = await store(
      'bob',
      `bob@${overlay}`,
      ARRAY,
      1,
      '--value',
      'v',
      '--index',
      '0',
      '--storage-time',
      '2000000000000',
    );
    const older = await cliError(
      ...[
        'store',
        `bob@${overlay}`,
        '--kind',
        ARRAY,
        '--value',
        'older',
        '--index',
        '0',
        '--identity',
        identity('bob'),
      ],
      ...['--peer', peerAddress(2), '--storage-time', '1999999999999'],
    );
    expect(older).toMatchObject({ status: 1, code: 'RELOAD_DATA_TOO_OLD' });
    // ETag-like: storing with the counter just read works once; the same counter again is stale.
    await store(
      'bob',
      `bob@${overlay}`,
      ARRAY,
      3,
      '--value',
      'next',
      '--index',
      '1',
      '--generation',
      String(first.generation),
    );
    const stale = await cliError(
      ...[
        'store',
        `bob@${overlay}`,
        '--kind',
        ARRAY,
        '--value',
        'late',
        '--index',
        '2',
        '--identity',
        identity('bob'),
      ],
      ...['--peer', peerAddress(4), '--generation', String(first.generation)],
    );
    expect(stale).toMatchObject({ status: 1, code: 'RELOAD_GENERATION_COUNTER_TOO_LOW' });
  });

  it('stat names the responsible peer and two replicas that hold the same copy', async () => {
    const stored = await store('bob', `bob@${overlay}`, SINGLE, 6, '--value', 'counted');
    const stat = await cli<StatJson>(
      ...[
        'stat',
        `bob@${overlay}`,
        '--kind',
        SINGLE,
        '--identity',
        identity('alice'),
        '--peer',
        peerAddress(1),
      ],
    );
    expect(stat.responsible).toBe(stored.responsible);
    expect(stat.copies).toBe(3);
    expect(stat.replicas.every((r) => r.holds)).toBe(true);
    // The operators' view agrees: the owner lists it as original, the next peer as replica 1.
    const roles = await Promise.all(
      [stat.responsible, stat.replicas[0].nodeId].map(async (nodeId) => {
        const peer = processes.flatMap((p) => p.peers).find((p) => p.nodeId === nodeId)!;
        const tls = (await readIdentity(identity('peer1')))!;
        const client = createClient(
          diagnosticsV1.DiagnosticsServiceClient,
          peer.address,
          clientCredentials(tls),
        );
        try {
          const { resources } = await callUnary(client, 'listStoredResources', {
            nodeId: Buffer.alloc(0),
            kind: 0,
            pageSize: 0,
            pageToken: '',
          });
          return resources.find(
            (r) =>
              Buffer.from(r.resourceId).equals(idToBytes(resourceIdOf(`bob@${overlay}`))) &&
              r.kind === Number(SINGLE),
          )?.replicaNumber;
        } finally {
          client.close();
        }
      }),
    );
    expect(roles).toEqual([0, 1]);
  });

  it('a value altered on the responsible peer’s disk is detected and dropped by the fetcher', async () => {
    const name = `bob@${overlay}`;
    const stored = await store('bob', name, DICTIONARY, 5, '--value', 'genuine', '--key', 'x');
    const victim = processes.find((p) => p.peers.some((peer) => peer.nodeId === stored.responsible))!;
    const n = peerNumber.get(victim)!;
    victim.app.child.kill('SIGKILL');
    await victim.app.exited();
    processes.splice(processes.indexOf(victim), 1);
    // Tamper with the stored bytes the way a malicious or broken peer could: same signature.
    const environment = await LmdbValueEnvironment.open({
      path: path.join(identity(`peer${n}`), 'peer-values'),
      maxStores: victim.peers.length,
    });
    const values = await environment.store(stored.responsible);
    const record = await values.read(resourceIdOf(name), Number(DICTIONARY));
    if (!record) throw new Error('the responsible peer holds no record');
    await values.write([
      {
        ...record,
        values: record.values.map((v) =>
          v.item.model === 'DICTIONARY' && Buffer.from(v.item.key).toString() === 'x'
            ? { ...v, item: { ...v.item, value: Buffer.from('forged!') } }
            : v,
        ),
      },
    ]);
    await values.close();
    const restarted = await startPeerProcess(peerArgs(n, { first: false }));
    peerNumber.set(restarted, n);
    processes.push(restarted);
    await waitForConsistentRing(bootstrap.grpc, identity('peer1'), processes.length, 60_000);

    const result = await runBin(
      'p2psip',
      ...['fetch', name, '--kind', DICTIONARY, '--key', 'x', '--identity', identity('alice')],
      ...['--peer', peerAddress(0), '--json'],
    );
    const fetched = JSON.parse(result.stdout) as FetchJson;
    expect(fetched.responder).toBe(stored.responsible);
    expect(fetched.dropped).toBe(1);
    expect(fetched.values.map((v) => v.value)).not.toContain('forged!');
    expect(result.status).toBe(3);
  });

  it('keeps every value through kill -9 of the responsible peer and its first successor at once', async () => {
    const keys = Array.from({ length: 12 }, (_, i) => `e${i}`);
    for (const [i, key] of keys.entries()) {
      await store('alice', `alice@${overlay}`, DICTIONARY, i, '--value', `value-${i}`, '--key', key);
    }
    const before = await cli<StatJson>(
      ...[
        'stat',
        `alice@${overlay}`,
        '--kind',
        DICTIONARY,
        '--identity',
        identity('bob'),
        '--peer',
        peerAddress(0),
      ],
    );
    expect(before.copies).toBe(3);
    const doomed = [before.responsible, before.replicas[0]?.nodeId];
    const victims = processes.filter((p) => p.peers.some((peer) => doomed.includes(peer.nodeId)));
    expect(victims).toHaveLength(2);
    for (const victim of victims) victim.app.child.kill('SIGKILL');
    await Promise.all(victims.map((victim) => victim.app.exited()));
    for (const victim of victims) processes.splice(processes.indexOf(victim), 1);
    await waitForConsistentRing(bootstrap.grpc, identity('peer1'), processes.length, 60_000);

    const fetched = await fetch('bob', `alice@${overlay}`, DICTIONARY, 0);
    const byKey = new Map(fetched.values.map((v) => [Buffer.from(v.key ?? '', 'hex').toString(), v.value]));
    for (const [i, key] of keys.entries()) expect(byKey.get(key)).toBe(`value-${i}`);
    expect(fetched.dropped).toBe(0);
    expect(doomed).not.toContain(fetched.responder);
    // Three copies again on live peers once the hold-down has passed.
    let copies = 0;
    await waitFor(
      async () => {
        const stat = await cli<StatJson>(
          ...[
            'stat',
            `alice@${overlay}`,
            '--kind',
            DICTIONARY,
            '--identity',
            identity('bob'),
            '--peer',
            peerAddress(1),
          ],
        );
        copies = stat.copies;
        return copies === 3;
      },
      60_000,
      'three copies after the hold-down',
    );
    expect(copies).toBe(3);
  });

  it('forgets a value with a 5 s lifetime after ~6 s', async () => {
    await store('bob', `bob@${overlay}`, ARRAY, 2, '--value', 'brief', '--lifetime', '5');
    expect((await fetch('alice', `bob@${overlay}`, ARRAY, 3)).values.map((v) => v.value)).toContain('brief');
    await new Promise((resolve) => setTimeout(resolve, 6500));
    expect((await fetch('alice', `bob@${overlay}`, ARRAY, 4)).values.map((v) => v.value)).not.toContain(
      'brief',
    );
  });
});
