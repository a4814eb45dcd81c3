import { idToBytes, nodeMultipleResourceId, resourceIdOf, type ResourceId } from '@p2psip/identity';
import { ErrorCode, ReloadError } from '@p2psip/overlay';
import { type TestNodeIdentity, type TestPki, createTestPki } from '@p2psip/testing';
import { createCertificateTrust } from './certificate-trust';
import { Kind, KindRegistry } from './kinds';
import { MemoryValueStore } from './memory-value-store';
import { APPEND_INDEX, type StoredItem, type StoredValue } from './model';
import { StorageRules } from './storage-rules';
import { signValue, verifyValue } from './value-signing';
import { RedirTree, encodeRedirRecord } from '@p2psip/redir';

const OVERLAY = 'p2psip.test';
/** storage_time of the values; the rules' clock is separate (see setup). */
const T0 = Date.parse('2026-11-21T10:00:00Z');
const GENERIC = { SINGLE: 0xf0000001, ARRAY: 0xf0000002, DICTIONARY: 0xf0000003 } as const;

let pki: TestPki;
let alice: TestNodeIdentity;
let bob: TestNodeIdentity;
let outsider: TestNodeIdentity;

beforeAll(async () => {
  pki = await createTestPki(OVERLAY);
  alice = await pki.issue({ userName: `alice@${OVERLAY}` });
  bob = await pki.issue({ userName: `bob@${OVERLAY}` });
  // Same user name as alice, but from a CA the overlay does not trust.
  outsider = await (await createTestPki(OVERLAY)).issue({ userName: `alice@${OVERLAY}` });
}, 30_000);

const registry = new KindRegistry([
  ...new KindRegistry().all(),
  { id: GENERIC.SINGLE, dataModel: 'SINGLE', accessControl: 'USER-MATCH', maxCount: 1, maxSize: 100 },
  { id: GENERIC.ARRAY, dataModel: 'ARRAY', accessControl: 'USER-MATCH', maxCount: 5, maxSize: 100 },
  { id: GENERIC.DICTIONARY, dataModel: 'DICTIONARY', accessControl: 'USER-MATCH', maxCount: 3, maxSize: 100 },
]);

function setup() {
  // Test certificates are valid from the second they were issued (in beforeAll): start the clock now.
  let now = Date.now();
  const store = new MemoryValueStore();
  const trust = createCertificateTrust({ caCertificateDer: pki.authority.certificate.der, overlay: OVERLAY });
  const rules = new StorageRules({ kinds: registry, store, trust, now: () => now });
  return { rules, store, trust, advance: (ms: number) => (now += ms), now: () => now };
}

function signed(
  who: TestNodeIdentity,
  resourceId: ResourceId,
  kind: number,
  item: StoredItem,
  options: { storageTimeMs?: bigint; lifetimeS?: number } = {},
): StoredValue {
  return signValue(
    {
      resourceId,
      kind,
      item,
      storageTimeMs: options.storageTimeMs ?? BigInt(T0),
      lifetimeS: options.lifetimeS ?? 60,
    },
    { certificateDer: who.certificate.der, privateKey: who.keyPem },
  );
}

const text = (s: string) => new Uint8Array(Buffer.from(s));
const single = (s: string): StoredItem => ({ model: 'SINGLE', exists: true, value: text(s) });
const entry = (index: number, s: string): StoredItem => ({
  model: 'ARRAY',
  index,
  exists: true,
  value: text(s),
});
const keyed = (key: Uint8Array, s: string): StoredItem => ({
  model: 'DICTIONARY',
  key,
  exists: true,
  value: text(s),
});

async function reloadCode(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof ReloadError) return error.errorCode;
    throw error;
  }
}

describe('StorageRules', () => {
  const aliceId = () => resourceIdOf(`alice@${OVERLAY}`);

  it('round-trips each data model, and the fetcher verifies what it gets', async () => {
    const { rules, trust, now } = setup();
    const r = aliceId();
    await rules.store(
      r,
      [{ kind: GENERIC.SINGLE, generation: 0n, values: [signed(alice, r, GENERIC.SINGLE, single('one'))] }],
      { mode: 'original' },
    );
    await rules.store(
      r,
      [
        {
          kind: GENERIC.ARRAY,
          generation: 0n,
          values: [
            signed(alice, r, GENERIC.ARRAY, entry(APPEND_INDEX, 'a')),
            signed(alice, r, GENERIC.ARRAY, entry(APPEND_INDEX, 'b')),
          ],
        },
      ],
      { mode: 'original' },
    );
    await rules.store(
      r,
      [
        {
          kind: GENERIC.DICTIONARY,
          generation: 0n,
          values: [signed(alice, r, GENERIC.DICTIONARY, keyed(text('k1'), 'v1'))],
        },
      ],
      {
        mode: 'original',
      },
    );
    const [s, a, d] = await rules.fetch(r, [
      { kind: GENERIC.SINGLE, generation: 0n, selector: { model: 'SINGLE' } },
      {
        kind: GENERIC.ARRAY,
        generation: 0n,
        selector: { model: 'ARRAY', ranges: [{ first: 0, last: APPEND_INDEX }] },
      },
      { kind: GENERIC.DICTIONARY, generation: 0n, selector: { model: 'DICTIONARY', keys: [] } },
    ]);
    expect(Buffer.from(s.values[0].item.value).toString()).toBe('one');
    expect(
      a.values.map((v) => [v.item.model === 'ARRAY' && v.item.index, Buffer.from(v.item.value).toString()]),
    ).toEqual([
      [0, 'a'],
      [1, 'b'],
    ]);
    expect(Buffer.from(d.values[0].item.value).toString()).toBe('v1');
    // Appended entries were signed with index 0 and still verify at their assigned index.
    for (const value of [...s.values, ...a.values, ...d.values]) {
      expect(
        verifyValue(
          r,
          value === s.values[0]
            ? GENERIC.SINGLE
            : value.item.model === 'ARRAY'
              ? GENERIC.ARRAY
              : GENERIC.DICTIONARY,
          value,
          trust,
          now(),
        ),
      ).toBeDefined();
    }
  });

  it('refuses a user storing under another user name (USER-MATCH) and a foreign CA with Forbidden', async () => {
    const { rules } = setup();
    const bobId = resourceIdOf(`bob@${OVERLAY}`);
    const byAlice = signed(alice, bobId, GENERIC.SINGLE, single('mine now'));
    expect(
      await reloadCode(
        rules.store(bobId, [{ kind: GENERIC.SINGLE, generation: 0n, values: [byAlice] }], {
          mode: 'original',
        }),
      ),
    ).toBe(ErrorCode.Forbidden);
    const forged = signed(outsider, aliceId(), GENERIC.SINGLE, single('forged'));
    expect(
      await reloadCode(
        rules.store(aliceId(), [{ kind: GENERIC.SINGLE, generation: 0n, values: [forged] }], {
          mode: 'original',
        }),
      ),
    ).toBe(ErrorCode.Forbidden);
    const ok = signed(bob, bobId, GENERIC.SINGLE, single('bob'));
    await expect(
      rules.store(bobId, [{ kind: GENERIC.SINGLE, generation: 0n, values: [ok] }], { mode: 'original' }),
    ).resolves.toHaveLength(1);
  });

  it('detects a value altered after signing', async () => {
    const { trust, now } = setup();
    const value = signed(alice, aliceId(), GENERIC.SINGLE, single('original'));
    const altered: StoredValue = { ...value, item: { ...value.item, value: text('0riginal') } };
    expect(verifyValue(aliceId(), GENERIC.SINGLE, value, trust, now())).toBeDefined();
    expect(verifyValue(aliceId(), GENERIC.SINGLE, altered, trust, now())).toBeUndefined();
    expect(verifyValue(aliceId(), GENERIC.ARRAY, value, trust, now())).toBeUndefined();
  });

  it('answers Data_Too_Old for an older or equal storage_time, and keeps the newer value', async () => {
    const { rules } = setup();
    const r = aliceId();
    const store = (t: bigint, s: string) =>
      rules.store(
        r,
        [
          {
            kind: GENERIC.SINGLE,
            generation: 0n,
            values: [signed(alice, r, GENERIC.SINGLE, single(s), { storageTimeMs: t })],
          },
        ],
        {
          mode: 'original',
        },
      );
    await store(200n, 'new');
    expect(await reloadCode(store(100n, 'old'))).toBe(ErrorCode.DataTooOld);
    expect(await reloadCode(store(200n, 'same time'))).toBe(ErrorCode.DataTooOld);
    const [result] = await rules.fetch(r, [
      { kind: GENERIC.SINGLE, generation: 0n, selector: { model: 'SINGLE' } },
    ]);
    expect(Buffer.from(result.values[0].item.value).toString()).toBe('new');
  });

  it('checks generation counters: 0 = any, a stale counter is refused, success increments', async () => {
    const { rules } = setup();
    const r = aliceId();
    const store = (generation: bigint, t: bigint) =>
      rules.store(
        r,
        [
          {
            kind: GENERIC.SINGLE,
            generation,
            values: [signed(alice, r, GENERIC.SINGLE, single(`t${t}`), { storageTimeMs: t })],
          },
        ],
        {
          mode: 'original',
        },
      );
    expect((await store(0n, 1n))[0].generation).toBe(1n);
    expect((await store(1n, 2n))[0].generation).toBe(2n);
    expect(await reloadCode(store(1n, 3n))).toBe(ErrorCode.GenerationCounterTooLow);
    const [fetched] = await rules.fetch(r, [
      { kind: GENERIC.SINGLE, generation: 2n, selector: { model: 'SINGLE' } },
    ]);
    expect(fetched).toEqual({ kind: GENERIC.SINGLE, generation: 2n, values: [] });
  });

  it('refuses values over max-size and arrays past max-count with Data_Too_Large, and unknown kinds', async () => {
    const { rules } = setup();
    const r = aliceId();
    const big = signed(alice, r, GENERIC.SINGLE, single('x'.repeat(101)));
    expect(
      await reloadCode(
        rules.store(r, [{ kind: GENERIC.SINGLE, generation: 0n, values: [big] }], { mode: 'original' }),
      ),
    ).toBe(ErrorCode.DataTooLarge);
    const far = signed(alice, r, GENERIC.ARRAY, entry(5, 'sixth'));
    expect(
      await reloadCode(
        rules.store(r, [{ kind: GENERIC.ARRAY, generation: 0n, values: [far] }], { mode: 'original' }),
      ),
    ).toBe(ErrorCode.DataTooLarge);
    const v = signed(alice, r, 0xf00000ff, single('?'));
    expect(
      await reloadCode(
        rules.store(r, [{ kind: 0xf00000ff, generation: 0n, values: [v] }], { mode: 'original' }),
      ),
    ).toBe(ErrorCode.UnknownKind);
  });

  it('is atomic across kinds: one bad kind stores nothing', async () => {
    const { rules } = setup();
    const r = aliceId();
    const good = signed(alice, r, GENERIC.SINGLE, single('fine'));
    const bad = signed(bob, r, GENERIC.ARRAY, entry(0, 'not yours'));
    const code = await reloadCode(
      rules.store(
        r,
        [
          { kind: GENERIC.SINGLE, generation: 0n, values: [good] },
          { kind: GENERIC.ARRAY, generation: 0n, values: [bad] },
        ],
        { mode: 'original' },
      ),
    );
    expect(code).toBe(ErrorCode.Forbidden);
    const [s] = await rules.fetch(r, [
      { kind: GENERIC.SINGLE, generation: 0n, selector: { model: 'SINGLE' } },
    ]);
    expect(s.values[0].item.exists).toBe(false);
    expect(s.generation).toBe(0n);
  });

  it('fills array gaps and unknown keys with synthetic exists=false values', async () => {
    const { rules } = setup();
    const r = aliceId();
    await rules.store(
      r,
      [{ kind: GENERIC.ARRAY, generation: 0n, values: [signed(alice, r, GENERIC.ARRAY, entry(2, 'third'))] }],
      { mode: 'original' },
    );
    const [a, d] = await rules.fetch(r, [
      { kind: GENERIC.ARRAY, generation: 0n, selector: { model: 'ARRAY', ranges: [{ first: 0, last: 10 }] } },
      { kind: GENERIC.DICTIONARY, generation: 0n, selector: { model: 'DICTIONARY', keys: [text('nope')] } },
    ]);
    expect(a.values.map((v) => v.item.exists)).toEqual([false, false, true]);
    expect(a.values[0].signature.identity.type).toBe('none');
    expect(d.values).toHaveLength(1);
    expect(d.values[0].item.exists).toBe(false);
  });

  it('removes by storing exists=false, and expires values after their lifetime', async () => {
    const { rules, advance } = setup();
    const r = aliceId();
    const key = text('k');
    await rules.store(
      r,
      [
        {
          kind: GENERIC.DICTIONARY,
          generation: 0n,
          values: [signed(alice, r, GENERIC.DICTIONARY, keyed(key, 'v'), { lifetimeS: 5 })],
        },
      ],
      {
        mode: 'original',
      },
    );
    const removal = signed(
      alice,
      r,
      GENERIC.DICTIONARY,
      { model: 'DICTIONARY', key, exists: false, value: new Uint8Array(0) },
      {
        storageTimeMs: BigInt(T0 + 1),
        lifetimeS: 5,
      },
    );
    await rules.store(r, [{ kind: GENERIC.DICTIONARY, generation: 0n, values: [removal] }], {
      mode: 'original',
    });
    const fetchAll = async () =>
      (
        await rules.fetch(r, [
          { kind: GENERIC.DICTIONARY, generation: 0n, selector: { model: 'DICTIONARY', keys: [] } },
        ])
      )[0].values;
    expect((await fetchAll()).map((v) => v.item.exists)).toEqual([false]);
    advance(6_000);
    expect(await fetchAll()).toEqual([]);
  });

  it('applies the built-in kinds’ policies: USER-NODE-MATCH, NODE-MATCH, NODE-MULTIPLE', async () => {
    const { rules } = setup();
    const r = aliceId();
    const aliceNode = idToBytes(alice.nodeIds[0]);
    const reg = signed(alice, r, Kind.SipRegistration, keyed(aliceNode, 'sip:alice@192.0.2.1'));
    await expect(
      rules.store(r, [{ kind: Kind.SipRegistration, generation: 0n, values: [reg] }], { mode: 'original' }),
    ).resolves.toBeDefined();
    const otherKey = signed(alice, r, Kind.SipRegistration, keyed(idToBytes(bob.nodeIds[0]), 'sip:x'));
    expect(
      await reloadCode(
        rules.store(r, [{ kind: Kind.SipRegistration, generation: 0n, values: [otherKey] }], {
          mode: 'original',
        }),
      ),
    ).toBe(ErrorCode.Forbidden);
    const nodeRes = resourceIdOf(aliceNode);
    const cert = signed(alice, nodeRes, Kind.CertificateByNode, entry(APPEND_INDEX, 'der'));
    await expect(
      rules.store(nodeRes, [{ kind: Kind.CertificateByNode, generation: 0n, values: [cert] }], {
        mode: 'original',
      }),
    ).resolves.toBeDefined();
    const slot = nodeMultipleResourceId(alice.nodeIds[0], 3);
    const turn = signed(alice, slot, Kind.TurnService, single('turn'));
    await expect(
      rules.store(slot, [{ kind: Kind.TurnService, generation: 0n, values: [turn] }], { mode: 'original' }),
    ).resolves.toBeDefined();
    const stolen = signed(bob, slot, Kind.TurnService, single('turn'));
    expect(
      await reloadCode(
        rules.store(slot, [{ kind: Kind.TurnService, generation: 0n, values: [stolen] }], {
          mode: 'original',
        }),
      ),
    ).toBe(ErrorCode.Forbidden);
  });

  it('applies NODE-ID-MATCH with the registry’s branching factor: a ReDiR record only in its own tree node', async () => {
    const store = new MemoryValueStore();
    const trust = createCertificateTrust({
      caCertificateDer: pki.authority.certificate.der,
      overlay: OVERLAY,
    });
    const rules = new StorageRules({
      kinds: new KindRegistry(registry.all(), { redirBranchingFactor: 4 }),
      store,
      trust,
      now: Date.now,
    });
    const providerId = alice.nodeIds[0];
    const storeAt = (tree: RedirTree, level: number) => {
      const node = tree.nodeFor(level, providerId);
      const value = encodeRedirRecord({
        destinations: [{ kind: 'node', id: providerId }],
        namespace: 'turn-server',
        level,
        node: node.node,
      });
      const item: StoredItem = { model: 'DICTIONARY', key: idToBytes(providerId), exists: true, value };
      const stored = signed(alice, node.resourceId, Kind.Redir, item);
      return reloadCode(
        rules.store(node.resourceId, [{ kind: Kind.Redir, generation: 0n, values: [stored] }], {
          mode: 'original',
        }),
      );
    };
    expect(await storeAt(new RedirTree({ namespace: 'turn-server', branchingFactor: 4 }), 3)).toBeUndefined();
    // The same walk with the default b = 10 names tree nodes this overlay's tree does not have there.
    expect(await storeAt(new RedirTree({ namespace: 'turn-server' }), 3)).toBe(ErrorCode.Forbidden);
  });

  it('replica mode skips stale values and keeps the larger generation instead of failing', async () => {
    const { rules } = setup();
    const r = aliceId();
    const v1 = signed(alice, r, GENERIC.SINGLE, single('v1'), { storageTimeMs: 1n });
    const v2 = signed(alice, r, GENERIC.SINGLE, single('v2'), { storageTimeMs: 2n });
    await rules.store(r, [{ kind: GENERIC.SINGLE, generation: 7n, values: [v2] }], { mode: 'replica' });
    const [result] = await rules.store(r, [{ kind: GENERIC.SINGLE, generation: 3n, values: [v1] }], {
      mode: 'replica',
    });
    expect(result.generation).toBe(7n);
    const [fetched] = await rules.fetch(r, [
      { kind: GENERIC.SINGLE, generation: 0n, selector: { model: 'SINGLE' } },
    ]);
    expect(Buffer.from(fetched.values[0].item.value).toString()).toBe('v2');
  });

  it('stat describes values by length and hash; find names the closest resource of a kind', async () => {
    const { rules } = setup();
    const r = aliceId();
    await rules.store(
      r,
      [{ kind: GENERIC.SINGLE, generation: 0n, values: [signed(alice, r, GENERIC.SINGLE, single('hello'))] }],
      { mode: 'original' },
    );
    const [stat] = await rules.stat(r, [
      { kind: GENERIC.SINGLE, generation: 0n, selector: { model: 'SINGLE' } },
    ]);
    expect(stat.values[0].valueLength).toBe(5);
    expect(stat.values[0].hash).toHaveLength(32);
    const found = await rules.find((r - 1n) as ResourceId, [GENERIC.SINGLE, GENERIC.ARRAY], 0n, 0n);
    expect(found).toEqual([
      { kind: GENERIC.SINGLE, closest: r },
      { kind: GENERIC.ARRAY, closest: undefined },
    ]);
  });

  it('replica mode keeps the values that verify and skips a forged one and an unknown kind', async () => {
    const { rules } = setup();
    const r = aliceId();
    const good = signed(alice, r, GENERIC.DICTIONARY, keyed(text('a'), 'good'));
    const forged = signed(outsider, r, GENERIC.DICTIONARY, keyed(text('b'), 'forged'));
    const unknown = signed(alice, r, 0xf00000ff, single('?'));
    await rules.store(
      r,
      [
        { kind: GENERIC.DICTIONARY, generation: 3n, values: [good, forged] },
        { kind: 0xf00000ff, generation: 1n, values: [unknown] },
      ],
      { mode: 'replica' },
    );
    const [d] = await rules.fetch(r, [
      { kind: GENERIC.DICTIONARY, generation: 0n, selector: { model: 'DICTIONARY', keys: [] } },
    ]);
    expect(d.values.map((v) => Buffer.from(v.item.value).toString())).toEqual(['good']);
  });

  it('keeps a removal at least as long as the value it removed, and refuses duplicate keys', async () => {
    const { rules, advance } = setup();
    const r = aliceId();
    const key = text('k');
    await rules.store(
      r,
      [
        {
          kind: GENERIC.DICTIONARY,
          generation: 0n,
          values: [signed(alice, r, GENERIC.DICTIONARY, keyed(key, 'v'), { lifetimeS: 600 })],
        },
      ],
      {
        mode: 'original',
      },
    );
    const removal = signed(
      alice,
      r,
      GENERIC.DICTIONARY,
      { model: 'DICTIONARY', key, exists: false, value: new Uint8Array(0) },
      {
        storageTimeMs: BigInt(T0 + 1),
        lifetimeS: 5,
      },
    );
    await rules.store(r, [{ kind: GENERIC.DICTIONARY, generation: 0n, values: [removal] }], {
      mode: 'original',
    });
    advance(60_000);
    // The old value's copy arriving late is still older than the marker, which has not expired.
    const stale = signed(alice, r, GENERIC.DICTIONARY, keyed(key, 'v'), { lifetimeS: 600 });
    await rules.store(r, [{ kind: GENERIC.DICTIONARY, generation: 0n, values: [stale] }], {
      mode: 'replica',
    });
    const [d] = await rules.fetch(r, [
      { kind: GENERIC.DICTIONARY, generation: 0n, selector: { model: 'DICTIONARY', keys: [key] } },
    ]);
    expect(d.values.map((v) => v.item.exists)).toEqual([false]);
    expect(
      await reloadCode(
        rules.fetch(r, [
          { kind: GENERIC.DICTIONARY, generation: 0n, selector: { model: 'DICTIONARY', keys: [key, key] } },
        ]),
      ),
    ).toBe(ErrorCode.InvalidMessage);
  });
});
