import { readIdentity } from '@p2psip/enrollment-client';
import { parseCertificate } from '@p2psip/identity';
import { waitForConsistentRing } from './support/diag-ring';
import { type RunningPeerProcess, startPeerProcess } from './support/peer-process';
import { type LoadUser, type StoredEntry, StorageLoad, enrollUsers } from './support/storage-load';
import { OVERLAY as overlay, type TestOverlay, startTestOverlay } from './support/test-overlay';
import { waitFor } from './support/wait-for';

const KIND = 0xf0000003;
/** CI runs a small ring; the figures (30 peers, 1,000 values) with E2E_STORAGE_PEERS=30 E2E_STORAGE_VALUES=1000. */
const PEERS = Number(process.env.E2E_STORAGE_PEERS ?? 10);
const VALUES = Number(process.env.E2E_STORAGE_VALUES ?? 200);
const LEAVES = Number(process.env.E2E_STORAGE_LEAVES ?? Math.min(10, PEERS - 6));
const PER_USER = 10;
const HOLD_DOWN_MS = 3000;

// Issue 5's durability scenarios from outside, on real single-peer processes (each can die alone):
// kill -9 of a responsible peer and its first successor at once, graceful leaves one after another,
// and a restart of every peer process on its embedded store.
describe(`e2e — stored values survive churn (${PEERS} peers, ${VALUES} values)`, () => {
  let testOverlay: TestOverlay;
  let bootstrap: TestOverlay['bootstrap'];
  let load: StorageLoad;
  let users: LoadUser[] = [];
  const entries: StoredEntry[] = [];
  const processes = new Map<number, RunningPeerProcess>();
  const peerArgs = (n: number, first: boolean): string[] =>
    testOverlay.peerArgs(n, [
      ...['--update-interval-ms', '5000', '--replica-hold-down-ms', String(HOLD_DOWN_MS)],
      ...(first ? ['--first'] : []),
    ]);

  const identity = (name: string): string => testOverlay.path(name);
  const live = (): RunningPeerProcess[] => [...processes.values()];
  const anyPeer = (i: number): string => {
    const peers = live().flatMap((p) => p.peers);
    return peers[i % peers.length].address;
  };

  async function start(n: number, first = false): Promise<void> {
    processes.set(n, await startPeerProcess(peerArgs(n, first)));
  }

  async function startAll(numbers: readonly number[], first: number | undefined): Promise<void> {
    if (first !== undefined) await start(first, true);
    const rest = numbers.filter((n) => n !== first);
    // A few at a time: many node processes starting at once on 2 cores only slow each other down.
    for (let i = 0; i < rest.length; i += 4) await Promise.all(rest.slice(i, i + 4).map((n) => start(n)));
  }

  /** Every stored entry, fetched through rotating peers: the ones that are missing or wrong. */
  async function missing(): Promise<string[]> {
    const lost: string[] = [];
    for (const [i, user] of users.entries()) {
      const held = await load.fetch(anyPeer(i), user);
      for (const entry of entries.filter((e) => e.user === user)) {
        if (held.get(entry.key) !== entry.value) lost.push(`${user.name}/${entry.key}`);
      }
    }
    return lost;
  }

  beforeAll(async () => {
    testOverlay = await startTestOverlay({
      name: 'storage-churn-e2e',
      users: Array.from({ length: PEERS }, (_, i) => `peer${i + 1}`),
      // Self-registration: the load enrolls its users straight through the RFC 6940 form.
      config: ['--self-registration', 'on', '--kind', `0x${KIND.toString(16)}:DICTIONARY:USER-MATCH:32:256`],
    });
    bootstrap = testOverlay.bootstrap;
    const { enrollment } = testOverlay;
    await startAll(
      Array.from({ length: PEERS }, (_, i) => i + 1),
      1,
    );
    await waitForConsistentRing(bootstrap.grpc, identity('peer1'), PEERS, 120_000);

    const tls = await readIdentity(identity('peer1'));
    if (!tls) throw new Error('peer1 has no identity');
    load = new StorageLoad(tls, overlay, KIND, parseCertificate(enrollment.caPem).der);
    users = await enrollUsers({
      enrollmentUrl: `https://${enrollment.endpoints.https}/enroll`,
      caPem: enrollment.caPem,
      overlay,
      prefix: 'user',
      count: Math.ceil(VALUES / PER_USER),
    });
    for (let i = 0; i < VALUES; i++) {
      const user = users[Math.floor(i / PER_USER)];
      entries.push({ user, key: `k${i % PER_USER}`, value: `value-${i}` });
    }
    let withTwoReplicas = 0;
    const started = Date.now();
    for (const [i, entry] of entries.entries())
      if ((await load.store(anyPeer(i), entry)) === 2) withTwoReplicas++;
    console.log(
      `stored ${entries.length} values at ${users.length} resources in ${Date.now() - started} ms; ${withTwoReplicas} with 2 replicas`,
    );
    expect(withTwoReplicas).toBe(entries.length);
  });

  afterAll(async () => {
    load?.close();
    await Promise.all(live().map((p) => p.app.stop()));
    await testOverlay?.stop();
  });

  it('keeps every value when a responsible peer and its first successor are killed at once', async () => {
    const target = users[0];
    const before = await load.copies(anyPeer(0), target);
    expect(before.copies).toBe(3);
    const doomed = new Set([before.responsible, before.replicas[0]]);
    const victims = [...processes.entries()].filter(([, p]) =>
      p.peers.some((peer) => doomed.has(peer.nodeId)),
    );
    expect(victims).toHaveLength(2);
    for (const [, victim] of victims) victim.app.child.kill('SIGKILL');
    await Promise.all(victims.map(([, victim]) => victim.app.exited()));
    for (const [n] of victims) processes.delete(n);
    const killedAt = Date.now();
    await waitForConsistentRing(
      bootstrap.grpc,
      identity(`peer${[...processes.keys()][0]}`),
      processes.size,
      60_000,
    );
    expect(await missing()).toEqual([]);
    // Every resource has three copies on live peers again after the hold-down.
    let short: string[] = [];
    await waitFor(
      async () => {
        short = [];
        for (const [i, user] of users.entries()) {
          if ((await load.copies(anyPeer(i), user)).copies < 3) short.push(user.name);
        }
        return short.length === 0;
      },
      90_000,
      'three copies of every resource',
    );
    console.log(
      `three copies of all ${users.length} resources again ${Date.now() - killedAt} ms after the kill`,
    );
    expect(short).toEqual([]);
  });

  it(`loses nothing when ${LEAVES} peers leave gracefully one after another`, async () => {
    const leaving = [...processes.keys()].filter((n) => n !== 1).slice(0, LEAVES);
    for (const n of leaving) {
      await processes.get(n)!.app.stop(15_000);
      processes.delete(n);
    }
    await waitForConsistentRing(bootstrap.grpc, identity('peer1'), processes.size, 60_000);
    expect(await missing()).toEqual([]);
  });

  it('finds every value again after every peer process restarts on its embedded store', async () => {
    const numbers = [...processes.keys()];
    for (const p of live()) p.app.child.kill('SIGKILL');
    await Promise.all(live().map((p) => p.app.exited()));
    processes.clear();
    load.close();
    // One of them forms the overlay again (RFC 6940 §10.5: explicitly); the others join it.
    await startAll(numbers, numbers[0]);
    await waitForConsistentRing(bootstrap.grpc, identity(`peer${numbers[0]}`), numbers.length, 120_000);
    expect(await missing()).toEqual([]);
  });
});
