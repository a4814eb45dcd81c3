import { type ResourceId, nodeIdFromHex, nodeMultipleResourceId } from '@p2psip/identity';
import { ErrorCode, ReloadError, SECOND_MS, nodeDestination } from '@p2psip/overlay';
import { type Testnet, createTestnet } from '@p2psip/overlay/testing';
import { type TestNodeIdentity, createTestPki } from '@p2psip/testing';
import { createCertificateTrust } from '../certificate-trust';
import { KindRegistry } from '../kinds';
import { MemoryValueStore } from '../memory-value-store';
import type { StoredValue } from '../model';
import { StorageRules } from '../storage-rules';
import { signValue, verifyValue } from '../value-signing';
import { OverlayStorage } from './overlay-storage';
import { placementOf } from './replica-placement';

const OVERLAY = 'p2psip.test';
/** A SINGLE kind at H(Node-ID ‖ i): one certificate can fill many resources. */
const KIND = 0xf0000010;
const SLOTS = 400;
const UPDATE_MS = 5 * SECOND_MS;
const HOLD_DOWN_MS = 30 * SECOND_MS;

let writer: TestNodeIdentity;
let caDer: Uint8Array;

beforeAll(async () => {
  const pki = await createTestPki(OVERLAY);
  // A fixed Node-ID: the NODE-MULTIPLE slots, and so which peers own them, are the same every run.
  writer = await pki.issue({
    userName: `writer@${OVERLAY}`,
    nodeIds: [nodeIdFromHex('5a1c0de0c0ffee00000000000000beef')],
  });
  caDer = pki.authority.certificate.der;
}, 30_000);

const kinds = new KindRegistry([
  {
    id: KIND,
    dataModel: 'SINGLE',
    accessControl: 'NODE-MULTIPLE',
    maxCount: 1,
    maxSize: 256,
    maxNodeMultiple: SLOTS,
  },
]);

interface Member {
  storage: OverlayStorage;
  rules: StorageRules;
}

async function storageRing(n: number, seed: number): Promise<{ net: Testnet; members: Member[] }> {
  const net = createTestnet(n, {
    seed,
    settings: { updateIntervalMs: UPDATE_MS, pingIntervalMs: UPDATE_MS },
  });
  const trust = createCertificateTrust({ caCertificateDer: caDer, overlay: OVERLAY });
  const members = net.nodes.map((node) => {
    const rules = new StorageRules({
      kinds,
      store: new MemoryValueStore(),
      trust,
      now: () => node.clock.now(),
      certificateTime: () => Date.now(),
    });
    const storage = new OverlayStorage({ node, rules, settings: { replicaHoldDownMs: HOLD_DOWN_MS } });
    return { storage, rules };
  });
  await net.joinSequentially();
  await net.runUntil(() => net.isRingConsistent(), 20 * SECOND_MS);
  await net.runFor(HOLD_DOWN_MS);
  return { net, members };
}

function slot(i: number): ResourceId {
  return nodeMultipleResourceId(writer.nodeIds[0], i);
}

function valueFor(i: number, text: string, lifetimeS = 3600): StoredValue {
  return signValue(
    {
      resourceId: slot(i),
      kind: KIND,
      item: { model: 'SINGLE', exists: true, value: Buffer.from(text) },
      storageTimeMs: BigInt(Date.now()) + BigInt(i),
      lifetimeS,
    },
    { certificateDer: writer.certificate.der, privateKey: writer.keyPem },
  );
}

const spec = [{ kind: KIND, generation: 0n, selector: { model: 'SINGLE' as const } }];

async function fetchText(net: Testnet, via: Member, i: number): Promise<string | undefined> {
  const { results } = await net.settle(via.storage.fetch(slot(i), spec), 60 * SECOND_MS);
  const value = results[0].values[0];
  if (!value?.item.exists) return undefined;
  const trust = createCertificateTrust({ caCertificateDer: caDer, overlay: OVERLAY });
  expect(verifyValue(slot(i), KIND, value, trust, Date.now())).toBeDefined();
  return Buffer.from(value.item.value).toString();
}

function liveMembers(net: Testnet, members: Member[]): Member[] {
  return net.members.filter((m) => m.alive).map((m) => members[m.index]);
}

async function reloadCode(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error instanceof ReloadError ? error.errorCode : undefined;
  }
}

describe('OverlayStorage on a testnet', () => {
  it('stores at the responsible peer with two replicas, and any peer fetches and verifies', async () => {
    const { net, members } = await storageRing(12, 31);
    for (let i = 1; i <= 40; i++) {
      const via = members[i % members.length];
      const { results, from } = await net.settle(
        via.storage.store(slot(i), [{ kind: KIND, generation: 0n, values: [valueFor(i, `v${i}`)] }]),
        30 * SECOND_MS,
      );
      expect(from).toBe(net.responsibleFor(slot(i)).nodeId);
      expect(results[0].replicas).toHaveLength(2);
    }
    for (let i = 1; i <= 40; i++) expect(await fetchText(net, members[(i * 7) % 12], i)).toBe(`v${i}`);
    // Three copies of each value in the ring: the owner's and two replicas.
    const copies = await Promise.all(members.map((m) => m.rules.allRecords()));
    expect(copies.reduce((sum, records) => sum + records.length, 0)).toBe(40 * 3);
    const { results } = await net.settle(members[0].storage.stat(slot(1), spec), 30 * SECOND_MS);
    expect(results[0].replicas).toHaveLength(2);
  });

  it('keeps every value when an owner and its first successor die at once, and refills 3 copies', async () => {
    const { net, members } = await storageRing(12, 32);
    for (let i = 1; i <= 60; i++) {
      await net.settle(
        members[i % 12].storage.store(slot(i), [
          { kind: KIND, generation: 0n, values: [valueFor(i, `v${i}`)] },
        ]),
        30 * SECOND_MS,
      );
    }
    const owner = net.responsibleFor(slot(1));
    const successor = net.members.find((m) => m.nodeId === owner.node.neighbors().successors[0])!;
    net.killNode(owner.index);
    net.killNode(successor.index);
    await net.runUntil(() => net.isRingConsistent(), 30 * SECOND_MS);
    const survivor = liveMembers(net, members)[0];
    for (let i = 1; i <= 60; i++) expect(await fetchText(net, survivor, i)).toBe(`v${i}`);
    // After the hold-down and a maintenance pass, each value is on 3 live peers again.
    await net.runFor(HOLD_DOWN_MS + 20 * SECOND_MS);
    const live = liveMembers(net, members);
    const holders = new Map<bigint, number>();
    for (const m of live)
      for (const r of await m.rules.allRecords())
        holders.set(r.resourceId, (holders.get(r.resourceId) ?? 0) + 1);
    expect([...holders.values()].every((count) => count === 3)).toBe(true);
    expect(holders.size).toBe(60);
    const { results } = await net.settle(survivor.storage.stat(slot(1), spec), 30 * SECOND_MS);
    expect(results[0].replicas).toHaveLength(2);
  });

  it('loses nothing through graceful leaves one after another', async () => {
    const { net, members } = await storageRing(14, 33);
    for (let i = 1; i <= 40; i++) {
      await net.settle(
        members[i % 14].storage.store(slot(i), [
          { kind: KIND, generation: 0n, values: [valueFor(i, `v${i}`)] },
        ]),
        30 * SECOND_MS,
      );
    }
    for (const index of [2, 5, 7, 9, 11]) {
      const member = net.members[index];
      await net.settle(members[index].storage.handOff(), 30 * SECOND_MS);
      members[index].storage.stop();
      await net.settle(member.node.leave(), 30 * SECOND_MS);
      member.alive = false;
      await net.runUntil(() => net.isRingConsistent(), 20 * SECOND_MS);
    }
    const survivor = liveMembers(net, members)[0];
    for (let i = 1; i <= 40; i++) expect(await fetchText(net, survivor, i)).toBe(`v${i}`);
  });

  it('expires a 5 s value from every replica', async () => {
    const { net, members } = await storageRing(8, 34);
    await net.settle(
      members[0].storage.store(slot(1), [{ kind: KIND, generation: 0n, values: [valueFor(1, 'brief', 5)] }]),
      30 * SECOND_MS,
    );
    expect(await fetchText(net, members[3], 1)).toBe('brief');
    await net.runFor(6 * SECOND_MS);
    expect(await fetchText(net, members[3], 1)).toBeUndefined();
    await net.runFor(15 * SECOND_MS);
    const held = await Promise.all(members.map((m) => m.rules.allRecords()));
    expect(held.flat()).toHaveLength(0);
  });

  it('refuses replica stores that do not come straight from a neighbour', async () => {
    const { net } = await storageRing(10, 35);
    const target = net.responsibleFor(slot(1));
    const far = net.members.find(
      (m) =>
        m !== target &&
        !target.node.neighbors().successors.includes(m.nodeId) &&
        !target.node.neighbors().predecessors.includes(m.nodeId),
    )!;
    const body = {
      type: 'store_req',
      resourceId: slot(1),
      replicaNumber: 1,
      kindData: [{ kind: KIND, generation: 0n, values: [valueFor(1, 'x')] }],
    };
    expect(
      await reloadCode(net.settle(far.node.request(nodeDestination(target.nodeId), body), 30 * SECOND_MS)),
    ).toBe(ErrorCode.Forbidden);
  });

  it('hands a copy held outside its known arcs to the owner once, then drops it after the grace period', async () => {
    const { net, members } = await storageRing(16, 37);
    await net.settle(
      members[0].storage.store(slot(1), [{ kind: KIND, generation: 0n, values: [valueFor(1, 'stray')] }]),
      30 * SECOND_MS,
    );
    // A peer that cannot place the resource at all (neither owner, replica nor near neighbour).
    const strayIndex = net.members.findIndex((m) => {
      const { predecessors, successors } = m.node.neighbors();
      return placementOf(slot(1), m.nodeId, predecessors, successors) === undefined;
    });
    expect(strayIndex).toBeGreaterThanOrEqual(0);
    const stray = net.members[strayIndex];
    const [record] = await members[net.responsibleFor(slot(1)).index].rules.recordsAt(slot(1));
    await members[strayIndex].rules.store(slot(1), [{ ...record, generation: 0n }], { mode: 'replica' });
    const request = jest.spyOn(stray.node, 'request');
    const returns = () =>
      request.mock.calls.filter(([, body]) => body.type === 'store_req' && 'replicaNumber' in body).length;
    // Several maintenance passes (10 s each) inside the 30 s grace period: one Store, not one per pass.
    await net.runFor(HOLD_DOWN_MS - 5 * SECOND_MS);
    expect(returns()).toBe(1);
    expect(await members[strayIndex].rules.recordsAt(slot(1))).toHaveLength(1);
    // The grace period counts from the first pass that found the copy (up to 12.5 s after it came).
    await net.runFor(HOLD_DOWN_MS);
    expect(returns()).toBe(1);
    expect(await members[strayIndex].rules.recordsAt(slot(1))).toHaveLength(0);
    expect(await fetchText(net, members[0], 1)).toBe('stray');
  });

  it('keeps three copies when a node joins right after the owner and later leaves again', async () => {
    const net = createTestnet(11, {
      seed: 36,
      settings: { updateIntervalMs: UPDATE_MS, pingIntervalMs: UPDATE_MS },
    });
    const trust = createCertificateTrust({ caCertificateDer: caDer, overlay: OVERLAY });
    const members = net.nodes.map((node) => {
      const rules = new StorageRules({
        kinds,
        store: new MemoryValueStore(),
        trust,
        now: () => node.clock.now(),
        certificateTime: () => Date.now(),
      });
      return {
        rules,
        storage: new OverlayStorage({ node, rules, settings: { replicaHoldDownMs: HOLD_DOWN_MS } }),
      };
    });
    const joiner = net.members[10];
    await net.startFirst();
    for (let i = 1; i < 10; i++)
      await net.settle(net.members[i].node.start({ bootstrap: [net.members[0].address] }), 60 * SECOND_MS);
    await net.runUntil(() => net.isRingConsistent(), 20 * SECOND_MS);
    await net.runFor(HOLD_DOWN_MS);
    // A slot owned by the node that will sit just before the joiner.
    const live = net.members.slice(0, 10).sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1));
    const owner = [...live].reverse().find((m) => m.nodeId < joiner.nodeId) ?? live[live.length - 1];
    let i = 1;
    while (net.responsibleFor(slot(i)) !== owner) i++;
    await net.settle(
      members[0].storage.store(slot(i), [{ kind: KIND, generation: 0n, values: [valueFor(i, 'kept')] }]),
      30 * SECOND_MS,
    );
    const holders = async () => {
      const held = await Promise.all(
        net.members
          .filter((m) => m.alive && m.node.isJoined())
          .map(async (m) => (await members[m.index].rules.recordsAt(slot(i))).length > 0),
      );
      return held.filter(Boolean).length;
    };
    expect(await holders()).toBe(3);
    await net.settle(joiner.node.start({ bootstrap: [owner.address] }), 60 * SECOND_MS);
    await net.runUntil(() => net.isRingConsistent(), 20 * SECOND_MS);
    // Well inside the 30 s hold-down: a join is not a replacement, the joiner gets its copy at once.
    await net.runFor(5 * SECOND_MS);
    expect((await members[10].rules.recordsAt(slot(i))).length).toBe(1);
    expect(await holders()).toBeGreaterThanOrEqual(3);
    await net.runFor(HOLD_DOWN_MS + 20 * SECOND_MS);
    expect(await holders()).toBe(3);
    await net.settle(members[10].storage.handOff(), 30 * SECOND_MS);
    members[10].storage.stop();
    await net.settle(joiner.node.leave(), 30 * SECOND_MS);
    joiner.alive = false;
    await net.runUntil(() => net.isRingConsistent(), 20 * SECOND_MS);
    await net.runFor(HOLD_DOWN_MS + 20 * SECOND_MS);
    expect(await holders()).toBe(3);
    const { results } = await net.settle(members[0].storage.stat(slot(i), spec), 30 * SECOND_MS);
    expect(results[0].replicas).toHaveLength(2);
  });
});
